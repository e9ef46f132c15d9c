//! The one unit system of interstice: LAMMPS `metal` units.
//!
//! | quantity | unit |
//! |---|---|
//! | length | Å |
//! | time | ps |
//! | energy | eV |
//! | mass | g/mol (amu) |
//! | temperature | K |
//! | pressure and stress | bar in LAMMPS files, GPa in our reports |
//!
//! Every crate works in these units; only `interstice-io` would convert, and
//! today every format it reads is already in them.

/// Avogadro's number, 1/mol (CODATA 2018, exact).
pub const AVOGADRO: f64 = 6.022_140_76e23;

/// One g/mol per Å³ expressed in g/cm³: `1e24 / N_A`.
pub const AMU_PER_CUBIC_ANGSTROM_IN_G_PER_CM3: f64 = 1e24 / AVOGADRO;

/// One eV/Å³ in GPa: `e · 1e30 / 1e9` with the exact SI elementary charge.
pub const EV_PER_CUBIC_ANGSTROM_IN_GPA: f64 = 160.217_663_4;

/// One bar in GPa.
pub const BAR_IN_GPA: f64 = 1e-4;

/// The mass density in g/cm³ of `total_mass` g/mol of atoms in `volume` Å³.
pub fn density_g_per_cm3(total_mass: f64, volume: f64) -> f64 {
    total_mass / volume * AMU_PER_CUBIC_ANGSTROM_IN_G_PER_CM3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copper_density() {
        // fcc Cu, a = 3.615 Å, 4 atoms of 63.546 g/mol: 8.93 g/cm³ (CRC handbook: 8.96 at room temperature).
        let rho = density_g_per_cm3(4.0 * 63.546, 3.615f64.powi(3));
        assert!((rho - 8.9341).abs() < 1e-3, "{rho}");
        // The sanity number of shared/MD.md: 15.861 Å³/atom of Cu64Zr36 is 7.70 g/cm³.
        let m = 0.64 * 63.546 + 0.36 * 91.224;
        assert!((density_g_per_cm3(m, 15.861) - 7.70).abs() < 0.01);
    }
}
