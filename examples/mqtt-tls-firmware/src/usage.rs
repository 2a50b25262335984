//! What the image measures about itself: heap use through a counting global allocator, the
//! stack's high-water mark by painting, and its sections from the linker's symbols.

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering};

use embedded_alloc::LlffHeap;

/// The global allocator: a linked-list first-fit heap in riscv-rt's `.heap` arena, counting
/// the bytes in use and their peak.
pub struct CountingHeap {
    heap: LlffHeap,
    current: AtomicUsize,
    peak: AtomicUsize,
}

#[global_allocator]
pub static HEAP: CountingHeap = CountingHeap {
    heap: LlffHeap::empty(),
    current: AtomicUsize::new(0),
    peak: AtomicUsize::new(0),
};

impl CountingHeap {
    /// Hands riscv-rt's `.heap` arena to the allocator; call once, before any allocation.
    pub fn init(&self) {
        let (start, size) = heap_arena();
        // SAFETY: `[start, start + size)` is riscv-rt's `.heap` section, used by nothing else,
        // and this runs once, at the top of `main`, before anything allocates.
        unsafe { self.heap.init(start, size) };
    }

    /// Bytes allocated now.
    pub fn current(&self) -> usize {
        self.current.load(Ordering::Relaxed)
    }

    /// The most bytes allocated at once since the last [`reset_peak`](Self::reset_peak).
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// Starts a new peak from the current use.
    pub fn reset_peak(&self) {
        self.peak.store(self.current(), Ordering::Relaxed);
    }

    fn grew(&self, bytes: usize) {
        let now = self.current.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded to `LlffHeap`, a correct allocator; the counters only observe.
unsafe impl GlobalAlloc for CountingHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on unchanged.
        let ptr = unsafe { self.heap.alloc(layout) };
        if !ptr.is_null() {
            self.grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as in `alloc`.
        unsafe { self.heap.dealloc(ptr, layout) };
        self.current.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

// riscv-rt's linker script symbols (`link.x`).
unsafe extern "C" {
    static __stext: u8;
    static __etext: u8;
    static __srodata: u8;
    static __erodata: u8;
    static __sdata: u8;
    static __edata: u8;
    static __sbss: u8;
    static __ebss: u8;
    static __sheap: u8;
    static __eheap: u8;
    static __estack: u8;
    static _stack_start: u8;
}

macro_rules! addr {
    ($symbol:ident) => {
        // Only the address is taken; nothing is read.
        (&raw const $symbol) as usize
    };
}

/// The heap arena's start and size.
pub fn heap_arena() -> (usize, usize) {
    (addr!(__sheap), addr!(__eheap) - addr!(__sheap))
}

/// The image's sections, in bytes, as linked.
#[derive(Debug, Clone, Copy)]
pub struct Sections {
    /// Code.
    pub text: usize,
    /// Constants.
    pub rodata: usize,
    /// Initialised statics (stored in flash, copied to RAM at start-up).
    pub data: usize,
    /// Zeroed statics.
    pub bss: usize,
}

impl Sections {
    /// The sizes from riscv-rt's section symbols.
    pub fn linked() -> Self {
        Self {
            text: addr!(__etext) - addr!(__stext),
            rodata: addr!(__erodata) - addr!(__srodata),
            data: addr!(__edata) - addr!(__sdata),
            bss: addr!(__ebss) - addr!(__sbss),
        }
    }

    /// Flash: code, constants and the initial values of `.data`.
    pub fn flash(self) -> usize {
        self.text + self.rodata + self.data
    }

    /// Static RAM: `.data` and `.bss` (the heap arena and the stack are reported apart).
    pub fn static_ram(self) -> usize {
        self.data + self.bss
    }
}

/// The word painted over the free stack.
const PAINT: u32 = 0x5AA5_C33C;

/// Paints the stack below the caller's frame, so that [`stack_high_water`] can later find how
/// deep it went.
#[inline(never)]
pub fn paint_stack() {
    let sp: usize;
    // SAFETY: reads the stack pointer; no memory is touched.
    unsafe { core::arch::asm!("mv {}, sp", out(reg) sp) };
    // Leave this function's own frame and some margin alone.
    let end = (sp - 256) & !3;
    let mut word = addr!(__estack);
    while word < end {
        // SAFETY: `[__estack, sp - 256)` is the unused part of riscv-rt's stack: below every
        // live frame, above the heap arena.
        unsafe { (word as *mut u32).write_volatile(PAINT) };
        word += 4;
    }
}

/// The deepest the stack has been since [`paint_stack`], in bytes from its top.
pub fn stack_high_water() -> usize {
    let mut word = addr!(__estack);
    let top = addr!(_stack_start);
    // SAFETY: reads words of riscv-rt's stack region, all of them initialised by the painting
    // or by frames.
    while word < top && unsafe { (word as *const u32).read_volatile() } == PAINT {
        word += 4;
    }
    top - word
}

/// The stack region's size, in bytes.
pub fn stack_size() -> usize {
    addr!(_stack_start) - addr!(__estack)
}
