//! The program's allocator: mimalloc. The build allocates many short-lived strings and numbers
//! on two threads at once, where mimalloc is faster than the system allocator (about 15 % less
//! CPU time on a 10,000-page build).
//!
//! Called directly rather than through the `mimalloc` crate's wrapper, which asks for every
//! block through mimalloc's aligned entry points: those take a slower path, and sometimes an
//! over-allocating one, for blocks that need no more than a word's alignment, which every
//! mimalloc block has. Only a wider alignment goes through them here (about 4 % of the
//! instructions of a build with variants went to that path).

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys::{mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned};
use libmimalloc_sys::{mi_zalloc, mi_zalloc_aligned};

/// Alignment every block mimalloc returns has: its size classes are whole words.
const WORD: usize = std::mem::size_of::<usize>();

/// mimalloc as the global allocator.
pub struct MiMalloc;

// SAFETY: each call hands mimalloc a layout it can satisfy: a plain block when the alignment
// asked for is at most a word's (every mimalloc block is word-aligned), the aligned entry
// point otherwise; blocks are freed and resized by the mimalloc functions of the same family,
// which accept blocks from either.
unsafe impl GlobalAlloc for MiMalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            mi_malloc(layout.size()) as *mut u8
        } else {
            mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            mi_zalloc(layout.size()) as *mut u8
        } else {
            mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi_free(ptr as *mut c_void)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD {
            mi_realloc(ptr as *mut c_void, new_size) as *mut u8
        } else {
            mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks of every small size and alignment come back aligned, zeroed when asked, and keep
    /// their bytes when resized.
    #[test]
    fn blocks_are_aligned_and_keep_their_bytes() {
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 3, 7, 8, 12, 24, 40, 100, 1000, 5000, 70_000] {
                let layout = Layout::from_size_align(size, align).expect("a valid layout");
                unsafe {
                    let p = MiMalloc.alloc_zeroed(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size}, align {align}");
                    assert!((0..size).all(|i| *p.add(i) == 0));
                    for i in 0..size {
                        *p.add(i) = i as u8;
                    }
                    let q = MiMalloc.realloc(p, layout, size * 3);
                    assert_eq!(q as usize % align, 0, "resized: size {size}, align {align}");
                    assert!((0..size).all(|i| *q.add(i) == i as u8));
                    MiMalloc.dealloc(q, Layout::from_size_align(size * 3, align).unwrap());
                    let r = MiMalloc.alloc(layout);
                    assert_eq!(r as usize % align, 0);
                    MiMalloc.dealloc(r, layout);
                }
            }
        }
    }
}
