//! CPU and memory amounts as typed values: a malformed quantity cannot be written.
//!
//! Both print in the canonical Kubernetes form (`250m`, `2`, `512Mi`, `2Gi`), so the
//! output never changes spelling between renders.
//!
//! Arithmetic never panics and never wraps: constructors and sums saturate, and a
//! saturated amount is [`too large`](Memory::too_large) for Kubernetes, which resolution
//! reports as an error on the field that holds it.

use std::fmt;
use std::ops::Add;

/// CPU in millicores. `Cpu::m(250)` is `250m`; `Cpu::cores(2)` is `2`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Cpu(u64);

impl Cpu {
    /// Millicores: `Cpu::m(100)` compiles to `100m`.
    pub const fn m(millicores: u64) -> Self {
        Self(millicores)
    }
    /// Whole cores: `Cpu::cores(4)` compiles to `4`.
    pub const fn cores(cores: u64) -> Self {
        Self(cores.saturating_mul(1000))
    }
    /// Larger than the API server can store: Kubernetes keeps quantities as signed 64-bit
    /// values (`resource.Quantity`'s int64 fast path; larger ones are rejected as limits).
    pub const fn too_large(self) -> bool {
        self.0 > i64::MAX as u64
    }
    /// The amount in millicores.
    pub const fn millicores(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Cpu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(1000) {
            write!(f, "{}", self.0 / 1000)
        } else {
            write!(f, "{}m", self.0)
        }
    }
}

impl Add for Cpu {
    type Output = Cpu;
    fn add(self, rhs: Cpu) -> Cpu {
        Cpu(self.0.saturating_add(rhs.0))
    }
}

/// Memory or storage in bytes, printed with the largest exact binary suffix
/// (`Memory::gi(2)` is `2Gi`, `Memory::mi(1536)` is `1536Mi`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Memory(u64);

const KI: u64 = 1024;
const MI: u64 = KI * 1024;
const GI: u64 = MI * 1024;
const TI: u64 = GI * 1024;

impl Memory {
    /// Mebibytes: `Memory::mi(512)` compiles to `512Mi`.
    pub const fn mi(mib: u64) -> Self {
        Self(mib.saturating_mul(MI))
    }
    /// Gibibytes: `Memory::gi(10)` compiles to `10Gi`.
    pub const fn gi(gib: u64) -> Self {
        Self(gib.saturating_mul(GI))
    }
    /// Tebibytes.
    pub const fn ti(tib: u64) -> Self {
        Self(tib.saturating_mul(TI))
    }
    /// Larger than the API server can store (see [`Cpu::too_large`]).
    pub const fn too_large(self) -> bool {
        self.0 > i64::MAX as u64
    }
    /// The amount in bytes.
    pub const fn bytes(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Memory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        for (unit, suffix) in [(TI, "Ti"), (GI, "Gi"), (MI, "Mi"), (KI, "Ki")] {
            if b >= unit && b.is_multiple_of(unit) {
                return write!(f, "{}{suffix}", b / unit);
            }
        }
        write!(f, "{b}")
    }
}

impl Add for Memory {
    type Output = Memory;
    fn add(self, rhs: Memory) -> Memory {
        Memory(self.0.saturating_add(rhs.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_saturates_and_is_too_large() {
        assert!(Memory::ti(u64::MAX / 1024).too_large());
        assert!((Memory::gi(1) + Memory::ti(u64::MAX)).too_large());
        assert!(Cpu::cores(u64::MAX).too_large());
        assert!((Cpu::m(1) + Cpu::m(u64::MAX)).too_large());
        assert!(!Memory::ti(1024).too_large());
        assert!(!Cpu::cores(1_000_000).too_large());
    }

    #[test]
    fn canonical_spelling() {
        assert_eq!(Cpu::m(250).to_string(), "250m");
        assert_eq!(Cpu::m(2000).to_string(), "2");
        assert_eq!(Cpu::cores(4).to_string(), "4");
        assert_eq!(Memory::mi(512).to_string(), "512Mi");
        assert_eq!(Memory::mi(2048).to_string(), "2Gi");
        assert_eq!(Memory::mi(1536).to_string(), "1536Mi");
        assert_eq!(Memory::gi(1024).to_string(), "1Ti");
        assert_eq!((Memory::gi(1) + Memory::mi(512)).to_string(), "1536Mi");
    }
}
