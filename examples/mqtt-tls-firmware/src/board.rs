//! QEMU virt's devices, polled: the 16550 UART, the Goldfish RTC, the CLINT's `mtime`, the
//! SiFive test finisher, and the hart's `minstret`. Addresses from QEMU's `hw/riscv/virt.c`.

use core::convert::Infallible;
use core::sync::atomic::{AtomicU32, Ordering};

use embedded_io::{ErrorType, Read, ReadReady, Write};

const UART: usize = 0x1000_0000;
/// Receive buffer (read) / transmit holding register (write).
const UART_DATA: usize = UART;
/// Interrupt enable.
const UART_IER: usize = UART + 1;
/// FIFO control (write).
const UART_FCR: usize = UART + 2;
/// Line control.
const UART_LCR: usize = UART + 3;
/// Line status: bit 0 data ready, bit 5 transmit holding register empty.
const UART_LSR: usize = UART + 5;
const LSR_DATA_READY: u8 = 1;
const LSR_THR_EMPTY: u8 = 1 << 5;

const RTC_TIME_LOW: usize = 0x0010_1000;
const RTC_TIME_HIGH: usize = 0x0010_1004;
const MTIME_LOW: usize = 0x0200_BFF8;
const MTIME_HIGH: usize = 0x0200_BFFC;
/// `mtime` ticks at 10 MHz on virt.
const MTIME_TICKS_PER_MS: u64 = 10_000;
const FINISHER: usize = 0x0010_0000;

fn read8(addr: usize) -> u8 {
    // SAFETY: `addr` is one of the UART's registers above, mapped by QEMU's virt machine;
    // byte reads have no effect beyond the device's (reading RBR pops the FIFO, as intended).
    unsafe { (addr as *const u8).read_volatile() }
}

fn write8(addr: usize, value: u8) {
    // SAFETY: as in `read8`; the UART's registers take byte writes.
    unsafe { (addr as *mut u8).write_volatile(value) }
}

fn read32(addr: usize) -> u32 {
    // SAFETY: `addr` is a 32-bit register of the RTC or the CLINT above, mapped by QEMU.
    unsafe { (addr as *const u32).read_volatile() }
}

/// The polled 16550 UART, which QEMU joins to a host TCP connection: the TLS byte stream.
///
/// A handle without state: every value drives the one UART.
#[derive(Debug)]
pub struct Uart(());

impl Uart {
    /// Initialises the UART (8N1, FIFOs on and emptied, no interrupts) and returns it.
    pub fn init() -> Self {
        write8(UART_LCR, 0x80); // divisor latch
        write8(UART, 0x01); // divisor low byte; the baud rate means nothing over a socket
        write8(UART_IER, 0x00); // divisor high byte
        write8(UART_LCR, 0x03); // 8 data bits, no parity, 1 stop bit
        write8(UART_FCR, 0x07); // FIFOs on, both reset
        write8(UART_IER, 0x00); // polled
        Self(())
    }

    /// A handle to the UART for a new connection, discarding bytes left over from the last.
    pub fn reopen() -> Self {
        while data_ready() {
            let _ = read8(UART_DATA);
        }
        Self(())
    }
}

/// Whether the UART holds a received byte.
pub fn data_ready() -> bool {
    read8(UART_LSR) & LSR_DATA_READY != 0
}

impl ErrorType for Uart {
    type Error = Infallible;
}

/// Instructions retired in the UART's wait loops, modulo 2^32: the driver may ask for bytes still
/// in flight or wait for the transmitter, and that polling depends on the host's timing, not on
/// the work the firmware does. Differences of it over one `poll` stay far below 2^32.
static WAITED: AtomicU32 = AtomicU32::new(0);

/// Runs `until` to completion, adding the instructions it spent to [`waited`].
fn wait(until: impl Fn() -> bool) {
    if until() {
        return;
    }
    let start = instructions();
    while !until() {}
    #[expect(
        clippy::cast_possible_truncation,
        reason = "counted modulo 2^32, see WAITED"
    )]
    let spent = (instructions() - start) as u32;
    WAITED.fetch_add(spent, Ordering::Relaxed);
}

/// Instructions retired so far in the UART's wait loops, modulo 2^32: subtract two readings
/// with `wrapping_sub` to take the polling out of a measurement.
pub fn waited() -> u32 {
    WAITED.load(Ordering::Relaxed)
}

impl Read for Uart {
    /// Waits for the first byte, then takes what else has arrived, without waiting again.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        if buf.is_empty() {
            return Ok(0);
        }
        wait(data_ready);
        let mut n = 0;
        while n < buf.len() && data_ready() {
            buf[n] = read8(UART_DATA);
            n += 1;
        }
        Ok(n)
    }
}

impl ReadReady for Uart {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(data_ready())
    }
}

impl Write for Uart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        for &byte in buf {
            wait(|| read8(UART_LSR) & LSR_THR_EMPTY != 0);
            write8(UART_DATA, byte);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

/// The Goldfish real-time clock: the host's wall-clock time, for certificate validity.
#[derive(Debug)]
pub struct Rtc;

impl Rtc {
    /// Nanoseconds since the Unix epoch.
    pub fn unix_nanos() -> u64 {
        // Reading the low word latches the high word.
        let low = read32(RTC_TIME_LOW);
        let high = read32(RTC_TIME_HIGH);
        (u64::from(high) << 32) | u64::from(low)
    }
}

impl iot_tls::tls::Clock for Rtc {
    fn unix_time(&self) -> Option<u64> {
        // An RTC that reads zero was never set.
        Some(Self::unix_nanos() / 1_000_000_000).filter(|&secs| secs > 0)
    }
}

/// Milliseconds since boot, from the CLINT's 10 MHz `mtime`.
pub fn millis() -> u64 {
    loop {
        let high = read32(MTIME_HIGH);
        let low = read32(MTIME_LOW);
        if read32(MTIME_HIGH) == high {
            return ((u64::from(high) << 32) | u64::from(low)) / MTIME_TICKS_PER_MS;
        }
    }
}

/// Instructions retired since reset (`minstret`); under QEMU's `-icount shift=0` it counts
/// executed instructions exactly.
pub fn instructions() -> u64 {
    riscv::register::minstret::read64()
}

/// Ends the QEMU run with `code` as its exit status, through the SiFive test finisher.
pub fn exit(code: u16) -> ! {
    let value = if code == 0 {
        0x5555
    } else {
        (u32::from(code) << 16) | 0x3333
    };
    // SAFETY: the finisher is a write-only 32-bit register mapped by QEMU's virt machine; the
    // write ends the emulation.
    unsafe { (FINISHER as *mut u32).write_volatile(value) };
    loop {
        core::hint::spin_loop();
    }
}
