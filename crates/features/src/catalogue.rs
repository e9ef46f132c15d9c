//! A description of every column: formula, units and source, from which
//! `cargo xtask codegen` writes docs/features.md.

use crate::interstice::{IntersticeSro, Mro};
use crate::symmetry::SymmetryFunctions;
use crate::{Classical, Featurizer, Preset};

/// One column of a feature table, documented.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnDoc {
    /// The column name.
    pub name: String,
    /// What it is, with its formula.
    pub formula: String,
    /// Its unit (`1` for dimensionless).
    pub units: &'static str,
    /// Where the definition comes from.
    pub source: &'static str,
}

/// The preset's columns for a binary with LAMMPS types 1 and 2, documented.
pub fn catalogue(preset: Preset) -> Vec<ColumnDoc> {
    let names: Vec<String> = match preset {
        Preset::Paper80 => {
            let sro = IntersticeSro::default().names();
            let mut n = sro.clone();
            n.extend(Mro::default().names_for(&sro));
            n
        }
        Preset::Sf166 => SymmetryFunctions::paper().names_for(&[1, 2]),
        Preset::Classical => Classical::default().names(),
        Preset::All => {
            let mut n = catalogue(Preset::Paper80);
            n.extend(catalogue(Preset::Sf166));
            n.extend(catalogue(Preset::Classical));
            return n;
        }
    };
    names.iter().map(|n| describe(n)).collect()
}

fn stat_text(s: &str) -> &'static str {
    match s {
        "mean" => "mean",
        "std" => "population standard deviation",
        "min" => "minimum",
        "max" => "maximum",
        "sum" => "sum",
        "diff" => "mean over neighbours minus the atom's own value",
        _ => "statistic",
    }
}

/// The documentation of column `name` (a generic entry for unknown names).
pub fn describe(name: &str) -> ColumnDoc {
    let doc = |formula: String, units, source| ColumnDoc {
        name: name.to_string(),
        formula,
        units,
        source,
    };
    if let Some(rest) = name.strip_prefix("MRO_") {
        let (stat, base) = rest.split_once('_').unwrap_or(("", rest));
        let over = if base.ends_with("_dist") {
            "the atom's neighbours within 4 Å"
        } else {
            "the atom's Voronoi neighbours"
        };
        return doc(
            format!(
                "{} of `{base}` over {over} (the atom itself excluded)",
                stat_text(stat)
            ),
            "1",
            "amlearn `MRO`; SPEC §4",
        );
    }
    for (kind, text) in [
        (
            "Dist",
            "distance interstice `d_cj / (r_c + r_j) − 1` of each bond",
        ),
        (
            "Area",
            "area interstice `max(0, 1 − Σ_k (θ_k/2) r_k² / A)` of each triangle of the neighbour-shell hull",
        ),
        (
            "Volume",
            "volume interstice `max(0, 1 − [Σ_k (Ω_k/3) r_k³ + (Ω_c/3) r_c³] / V)` of each tetrahedron (centre + hull triangle)",
        ),
    ] {
        if let Some(rest) = name.strip_prefix(&format!("{kind}_interstice_")) {
            let (stat, over) = rest.split_once('_').unwrap_or((rest, ""));
            let over = if over == "dist" {
                "neighbours within 4 Å"
            } else {
                "Voronoi neighbours (amlearn's face filter at 0.05)"
            };
            return doc(
                format!(
                    "{} of the {text}, over {over}; 0 without a hull",
                    stat_text(stat)
                ),
                "1",
                "Wang & Jain 2019; amlearn `DistanceInterstice`, `VolumeAreaInterstice`; SPEC §4",
            );
        }
    }
    let parts: Vec<&str> = name.split('_').collect();
    if parts.len() == 2 && parts[0].parse::<u32>().is_ok() {
        return doc(
            format!(
                "radial symmetry function `Σ_(j of type {}) exp(−(r_ij − {} Å)² / (2Δr²))`, Δr = 0.252 Å, neighbours within 6.3 Å",
                parts[0], parts[1]
            ),
            "1",
            "Cubuk et al. 2015 as amlearn computes it; SPEC §5",
        );
    }
    if parts.len() == 5 && parts[0].parse::<u32>().is_ok() {
        return doc(
            format!(
                "angular symmetry function `Σ exp(−(r_ij² + r_ik² + r_jk²)/ξ²)(1 + λ cos θ_jik)^ζ` over neighbour pairs of types {} and {}, ξ = {} Å, λ = {}, ζ = {}",
                parts[0], parts[1], parts[2], parts[3], parts[4]
            ),
            "1",
            "Cubuk et al. 2015 as amlearn computes it; SPEC §5",
        );
    }
    let classical =
        |formula: &str, units| doc(formula.to_string(), units, "amlearn catalogue; SPEC §5");
    match name {
        "CN_voro" => classical("number of Voronoi neighbours (after the face filter)", "1"),
        "CN_dist" => classical("number of neighbours within 4 Å", "1"),
        "cluster_packing_efficiency_voro" => classical(
            "`[(4/3)π r_c³ + Σ_j (Ω_j/3) r_j³] / V_hull`, Ω_j summed over the hull tetrahedra containing j",
            "1",
        ),
        "atomic_packing_efficiency_voro" => classical(
            "`r_c / mean_j r_j − ideal(CN)` (ideal ratios for CN 3..24; NaN outside)",
            "1",
        ),
        _ => {
            if let Some(e) = name
                .strip_prefix("Voronoi_idx_")
                .and_then(|s| s.strip_suffix("_voro"))
            {
                return classical(
                    &format!("number of Voronoi faces with {e} edges (more than 7 count as 7)"),
                    "1",
                );
            }
            if let Some(m) = name
                .strip_prefix("motif_")
                .and_then(|s| s.strip_suffix("_voro"))
            {
                return classical(
                    &format!(
                        "1 if the Voronoi index is the motif `{m}` (polytetrahedral: 2·n4 + n5 = 12; any: the union), else 0"
                    ),
                    "1",
                );
            }
            for (pre, text) in [
                (
                    "area_wt_i_fold_symm_idx_",
                    "share of the face area on faces with",
                ),
                (
                    "vol_wt_i_fold_symm_idx_",
                    "share of the cell volume in pyramids on faces with",
                ),
                ("i_fold_symm_idx_", "share of the faces with"),
            ] {
                if let Some(e) = name.strip_prefix(pre).and_then(|s| s.strip_suffix("_voro")) {
                    return classical(&format!("{text} {e} edges"), "1");
                }
            }
            for (what, text, units) in [
                ("area", "Voronoi face areas", "Å²"),
                ("vol", "pyramid volumes (centre to face)", "Å³"),
            ] {
                if let Some(rest) = name
                    .strip_prefix(&format!("Voronoi_{what}_"))
                    .and_then(|s| s.strip_suffix("_voro"))
                {
                    let mut p = rest.split('_');
                    let stat = p.next().unwrap_or("");
                    let group = p.next().map_or(String::new(), |e| {
                        format!(" of the faces with {e} edges (0 when none)")
                    });
                    return classical(&format!("{} of the {text}{group}", stat_text(stat)), units);
                }
            }
            if let Some(rest) = name.strip_prefix("Voronoi_distance_") {
                let (stat, over) = rest.split_once('_').unwrap_or((rest, ""));
                let over = if over == "dist" {
                    "neighbours within 4 Å"
                } else {
                    "Voronoi neighbours"
                };
                return classical(
                    &format!("{} of the bond lengths to the {over}", stat_text(stat)),
                    "Å",
                );
            }
            for (pre, text) in [
                ("w_hat_bar_", "neighbour-averaged (Lechner–Dellago) ŵ_l"),
                ("q_bar_", "neighbour-averaged (Lechner–Dellago) q_l"),
                ("w_hat_", "Steinhardt ŵ_l with exact Wigner 3j symbols"),
                (
                    "q_",
                    "Steinhardt q_l = sqrt(4π/(2l+1) Σ_m |q_lm|²), atan2 azimuth",
                ),
            ] {
                if let Some(l) = name.strip_prefix(pre).and_then(|s| s.strip_suffix("_voro")) {
                    return doc(
                        format!("{text}, l = {l}, over Voronoi neighbours"),
                        "1",
                        "Steinhardt, Nelson & Ronchetti 1983; SPEC §5",
                    );
                }
            }
            doc("undocumented column".into(), "?", "?")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_of_every_preset_is_documented() {
        let all = catalogue(Preset::All);
        assert_eq!(all.len(), 80 + 166 + 114);
        for c in &all {
            assert_ne!(c.formula, "undocumented column", "{}", c.name);
        }
    }
}
