//! Chemical elements, their masses and Miracle radii, and the map from LAMMPS
//! atom types to species.
//!
//! Masses are IUPAC standard atomic weights (abridged, 2021; the mass number
//! of the longest-lived isotope for elements without one).
//! Radii are the "Miracle" atomic radii that amlearn uses for interstice and
//! packing features (shared/SPEC.md §2; D. B. Miracle, W. S. Sanders and
//! O. N. Senkov, Phil. Mag. 83, 2409 (2003)).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::CoreError;

/// A chemical element.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Element {
    /// The chemical symbol, for example `Cu`.
    pub symbol: &'static str,
    /// The atomic number.
    pub number: u8,
    /// The standard atomic weight, g/mol.
    pub mass: f64,
    /// The Miracle radius in Å, where tabulated.
    pub miracle_radius: Option<f64>,
}

const fn el(symbol: &'static str, number: u8, mass: f64, radius: f64) -> Element {
    Element {
        symbol,
        number,
        mass,
        miracle_radius: if radius > 0.0 { Some(radius) } else { None },
    }
}

/// Elements 1 to 92; a radius of 0 in the source means "not tabulated".
pub static ELEMENTS: [Element; 92] = [
    el("H", 1, 1.008, 0.0),
    el("He", 2, 4.0026, 0.0),
    el("Li", 3, 6.94, 1.52),
    el("Be", 4, 9.0122, 1.12),
    el("B", 5, 10.81, 0.88),
    el("C", 6, 12.011, 0.77),
    el("N", 7, 14.007, 0.0),
    el("O", 8, 15.999, 0.0),
    el("F", 9, 18.998, 0.0),
    el("Ne", 10, 20.180, 0.0),
    el("Na", 11, 22.990, 0.0),
    el("Mg", 12, 24.305, 1.60),
    el("Al", 13, 26.982, 1.41),
    el("Si", 14, 28.085, 1.10),
    el("P", 15, 30.974, 1.02),
    el("S", 16, 32.06, 0.0),
    el("Cl", 17, 35.45, 0.0),
    el("Ar", 18, 39.95, 0.0),
    el("K", 19, 39.098, 0.0),
    el("Ca", 20, 40.078, 2.01),
    el("Sc", 21, 44.956, 0.0),
    el("Ti", 22, 47.867, 1.42),
    el("V", 23, 50.942, 0.0),
    el("Cr", 24, 51.996, 0.0),
    el("Mn", 25, 54.938, 0.0),
    el("Fe", 26, 55.845, 1.25),
    el("Co", 27, 58.933, 1.25),
    el("Ni", 28, 58.693, 1.26),
    el("Cu", 29, 63.546, 1.26),
    el("Zn", 30, 65.38, 1.40),
    el("Ga", 31, 69.723, 0.0),
    el("Ge", 32, 72.630, 0.0),
    el("As", 33, 74.922, 0.0),
    el("Se", 34, 78.971, 0.0),
    el("Br", 35, 79.904, 0.0),
    el("Kr", 36, 83.798, 0.0),
    el("Rb", 37, 85.468, 0.0),
    el("Sr", 38, 87.62, 0.0),
    el("Y", 39, 88.906, 1.79),
    el("Zr", 40, 91.224, 1.58),
    el("Nb", 41, 92.906, 1.43),
    el("Mo", 42, 95.95, 0.0),
    el("Tc", 43, 97.0, 0.0),
    el("Ru", 44, 101.07, 0.0),
    el("Rh", 45, 102.91, 0.0),
    el("Pd", 46, 106.42, 1.42),
    el("Ag", 47, 107.87, 1.44),
    el("Cd", 48, 112.41, 0.0),
    el("In", 49, 114.82, 0.0),
    el("Sn", 50, 118.71, 0.0),
    el("Sb", 51, 121.76, 0.0),
    el("Te", 52, 127.60, 0.0),
    el("I", 53, 126.90, 0.0),
    el("Xe", 54, 131.29, 0.0),
    el("Cs", 55, 132.91, 0.0),
    el("Ba", 56, 137.33, 0.0),
    el("La", 57, 138.91, 1.87),
    el("Ce", 58, 140.12, 1.82),
    el("Pr", 59, 140.91, 0.0),
    el("Nd", 60, 144.24, 0.0),
    el("Pm", 61, 145.0, 0.0),
    el("Sm", 62, 150.36, 1.85),
    el("Eu", 63, 151.96, 0.0),
    el("Gd", 64, 157.25, 1.76),
    el("Tb", 65, 158.93, 0.0),
    el("Dy", 66, 162.50, 0.0),
    el("Ho", 67, 164.93, 0.0),
    el("Er", 68, 167.26, 0.0),
    el("Tm", 69, 168.93, 0.0),
    el("Yb", 70, 173.05, 0.0),
    el("Lu", 71, 174.97, 0.0),
    el("Hf", 72, 178.49, 1.58),
    el("Ta", 73, 180.95, 0.0),
    el("W", 74, 183.84, 0.0),
    el("Re", 75, 186.21, 0.0),
    el("Os", 76, 190.23, 0.0),
    el("Ir", 77, 192.22, 0.0),
    el("Pt", 78, 195.08, 1.39),
    el("Au", 79, 196.97, 1.43),
    el("Hg", 80, 200.59, 0.0),
    el("Tl", 81, 204.38, 0.0),
    el("Pb", 82, 207.2, 0.0),
    el("Bi", 83, 208.98, 0.0),
    el("Po", 84, 209.0, 0.0),
    el("At", 85, 210.0, 0.0),
    el("Rn", 86, 222.0, 0.0),
    el("Fr", 87, 223.0, 0.0),
    el("Ra", 88, 226.0, 0.0),
    el("Ac", 89, 227.0, 0.0),
    el("Th", 90, 232.04, 0.0),
    el("Pa", 91, 231.04, 0.0),
    el("U", 92, 238.03, 0.0),
];

/// The element with chemical symbol `symbol` (case-sensitive, as chemists write it).
///
/// # Errors
/// [`CoreError::UnknownElement`] if no element has that symbol.
pub fn element(symbol: &str) -> Result<&'static Element, CoreError> {
    ELEMENTS
        .iter()
        .find(|e| e.symbol == symbol)
        .ok_or_else(|| CoreError::UnknownElement(symbol.to_string()))
}

/// An element with the radius used for it in interstice features.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Species {
    /// The element.
    pub element: &'static Element,
    /// The radius in Å: the override if one was given, else the Miracle radius.
    pub radius: Option<f64>,
}

/// The map from LAMMPS atom types to species, with radius overrides.
///
/// ```
/// use interstice_core::TypeMap;
/// let map = TypeMap::parse("1=Cu, 2=Zr")?.with_radius_overrides("Zr=1.60")?;
/// assert_eq!(map.radius(1)?, 1.26);
/// assert_eq!(map.radius(2)?, 1.60);
/// assert_eq!(map.to_string(), "1=Cu,2=Zr");
/// assert_eq!(map.radius(3).unwrap_err().to_string(), "atom type 3 is not in the type map '1=Cu,2=Zr'");
/// # Ok::<(), interstice_core::CoreError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TypeMap {
    species: BTreeMap<u32, Species>,
}

impl TypeMap {
    /// Parses `type=Symbol` pairs separated by commas, for example `1=Cu,2=Zr`.
    ///
    /// # Errors
    /// [`CoreError::InvalidMap`] for malformed text or a type given twice,
    /// [`CoreError::UnknownElement`] for an unknown symbol.
    pub fn parse(text: &str) -> Result<TypeMap, CoreError> {
        let bad = |reason: String| CoreError::InvalidMap {
            what: "type map",
            text: text.to_string(),
            reason,
        };
        let mut species = BTreeMap::new();
        for item in text.split(',').map(str::trim) {
            let (t, sym) = item.split_once('=').ok_or_else(|| {
                bad(format!(
                    "expected type=Symbol pairs such as 1=Cu, found '{item}'"
                ))
            })?;
            let t: u32 = t.trim().parse().ok().filter(|&t| t >= 1).ok_or_else(|| {
                bad(format!(
                    "expected a positive atom type, found '{}'",
                    t.trim()
                ))
            })?;
            let element = element(sym.trim())?;
            if species
                .insert(
                    t,
                    Species {
                        element,
                        radius: element.miracle_radius,
                    },
                )
                .is_some()
            {
                return Err(bad(format!("type {t} is given twice")));
            }
        }
        Ok(TypeMap { species })
    }

    /// A map from `(type, symbol)` pairs.
    ///
    /// # Errors
    /// As [`TypeMap::parse`].
    pub fn from_pairs(pairs: &[(u32, &str)]) -> Result<TypeMap, CoreError> {
        let text: Vec<String> = pairs.iter().map(|(t, s)| format!("{t}={s}")).collect();
        TypeMap::parse(&text.join(","))
    }

    /// Overrides radii, given as `Symbol=radius` pairs separated by commas
    /// (`Cu=1.28,Zr=1.60`). Every element named must be in the map.
    ///
    /// # Errors
    /// [`CoreError::InvalidMap`] for malformed text, a radius that is not
    /// finite and positive, or an element that no type maps to.
    pub fn with_radius_overrides(mut self, text: &str) -> Result<TypeMap, CoreError> {
        let bad = |reason: String| CoreError::InvalidMap {
            what: "radius override",
            text: text.to_string(),
            reason,
        };
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (sym, r) = item.split_once('=').ok_or_else(|| {
                bad(format!(
                    "expected Symbol=radius pairs such as Cu=1.26, found '{item}'"
                ))
            })?;
            let sym = element(sym.trim())?.symbol;
            let r: f64 = r
                .trim()
                .parse()
                .ok()
                .filter(|r: &f64| r.is_finite() && *r > 0.0)
                .ok_or_else(|| {
                    bad(format!(
                        "expected a positive radius in Å, found '{}'",
                        r.trim()
                    ))
                })?;
            let mut found = false;
            for s in self
                .species
                .values_mut()
                .filter(|s| s.element.symbol == sym)
            {
                s.radius = Some(r);
                found = true;
            }
            if !found {
                return Err(bad(format!("no atom type is mapped to {sym}")));
            }
        }
        Ok(self)
    }

    /// The species of atom type `t`.
    ///
    /// # Errors
    /// [`CoreError::UnmappedType`] if the map does not cover `t`.
    pub fn species(&self, t: u32) -> Result<&Species, CoreError> {
        self.species.get(&t).ok_or_else(|| CoreError::UnmappedType {
            atom_type: t,
            map: self.to_string(),
        })
    }

    /// The radius of atom type `t`, Å.
    ///
    /// # Errors
    /// [`CoreError::UnmappedType`], or [`CoreError::NoRadius`] for an element
    /// without a tabulated radius or override.
    pub fn radius(&self, t: u32) -> Result<f64, CoreError> {
        let s = self.species(t)?;
        s.radius
            .ok_or_else(|| CoreError::NoRadius(s.element.symbol.to_string()))
    }

    /// Checks that every type in `types` is mapped.
    ///
    /// # Errors
    /// [`CoreError::UnmappedType`] for the smallest unmapped type.
    pub fn check_types(&self, types: &[u32]) -> Result<(), CoreError> {
        let mut missing: Option<u32> = None;
        for &t in types {
            if !self.species.contains_key(&t) {
                missing = Some(missing.map_or(t, |m| m.min(t)));
            }
        }
        match missing {
            Some(t) => Err(CoreError::UnmappedType {
                atom_type: t,
                map: self.to_string(),
            }),
            None => Ok(()),
        }
    }

    /// The `(type, species)` entries in ascending type order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &Species)> {
        self.species.iter().map(|(&t, s)| (t, s))
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.species.is_empty()
    }
}

impl std::fmt::Display for TypeMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = String::new();
        for (k, (t, sp)) in self.species.iter().enumerate() {
            if k > 0 {
                s.push(',');
            }
            let _ = write!(s, "{t}={}", sp.element.symbol);
        }
        f.write_str(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for (k, e) in ELEMENTS.iter().enumerate() {
            assert_eq!(usize::from(e.number), k + 1, "{}", e.symbol);
            assert!(e.mass > 0.0);
        }
        for w in ELEMENTS.windows(2) {
            assert!(w[0].mass < w[1].mass || matches!(w[1].symbol, "K" | "Ni" | "I" | "Pa"));
        }
    }

    #[test]
    fn miracle_radii_of_the_spec() {
        // shared/SPEC.md §2, every value.
        let spec = [
            ("Cu", 1.26),
            ("Zr", 1.58),
            ("Ni", 1.26),
            ("Nb", 1.43),
            ("Al", 1.41),
            ("Sm", 1.85),
            ("Fe", 1.25),
            ("P", 1.02),
            ("Li", 1.52),
            ("Be", 1.12),
            ("B", 0.88),
            ("C", 0.77),
            ("Mg", 1.60),
            ("Si", 1.10),
            ("Ca", 2.01),
            ("Ti", 1.42),
            ("Co", 1.25),
            ("Zn", 1.40),
            ("Y", 1.79),
            ("Pd", 1.42),
            ("Ag", 1.44),
            ("La", 1.87),
            ("Ce", 1.82),
            ("Gd", 1.76),
            ("Hf", 1.58),
            ("Pt", 1.39),
            ("Au", 1.43),
        ];
        for (s, r) in spec {
            assert_eq!(element(s).unwrap().miracle_radius, Some(r), "{s}");
        }
        assert_eq!(
            ELEMENTS
                .iter()
                .filter(|e| e.miracle_radius.is_some())
                .count(),
            spec.len()
        );
    }

    #[test]
    fn type_map_errors_are_clear() {
        let e = TypeMap::parse("1=Cu,2=Xx").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown element 'Xx': expected a chemical symbol such as Cu or Zr"
        );
        let e = TypeMap::parse("1=Cu,2").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid type map '1=Cu,2': expected type=Symbol pairs such as 1=Cu, found '2'"
        );
        let e = TypeMap::parse("0=Cu").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid type map '0=Cu': expected a positive atom type, found '0'"
        );
        let e = TypeMap::parse("1=Cu,1=Zr").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid type map '1=Cu,1=Zr': type 1 is given twice"
        );
        let m = TypeMap::parse("1=Cu,2=O").unwrap();
        assert_eq!(
            m.radius(2).unwrap_err().to_string(),
            "no Miracle radius is tabulated for O: give one as a radius override (for example O=1.40)"
        );
        assert_eq!(
            m.clone()
                .with_radius_overrides("O=1.35")
                .unwrap()
                .radius(2)
                .unwrap(),
            1.35
        );
        let e = m.clone().with_radius_overrides("Zr=1.5").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid radius override 'Zr=1.5': no atom type is mapped to Zr"
        );
        let e = m.clone().with_radius_overrides("Cu=-1").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid radius override 'Cu=-1': expected a positive radius in Å, found '-1'"
        );
        assert_eq!(
            m.check_types(&[1, 5, 2, 3]).unwrap_err().to_string(),
            "atom type 3 is not in the type map '1=Cu,2=O'"
        );
        assert!(m.check_types(&[2, 1]).is_ok());
    }

    #[test]
    fn two_types_may_share_an_element() {
        let m = TypeMap::from_pairs(&[(1, "Cu"), (2, "Cu"), (3, "Zr")])
            .unwrap()
            .with_radius_overrides("Cu=1.3")
            .unwrap();
        assert_eq!(m.radius(1).unwrap(), 1.3);
        assert_eq!(m.radius(2).unwrap(), 1.3);
        assert_eq!(m.species(3).unwrap().element.mass, 91.224);
    }
}
