//! The error type of `interstice-core`.

/// Everything that can go wrong when building or querying core value types.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// A simulation box that cannot exist (non-finite, zero or negative extent).
    #[error("invalid box: {0}")]
    InvalidBox(String),
    /// Per-atom arrays of a frame whose lengths disagree.
    #[error("frame has {expected} atoms but {what} has {found} entries")]
    LengthMismatch {
        /// Which array or column is wrong.
        what: String,
        /// The number of atoms (length of the id array).
        expected: usize,
        /// The length that was found.
        found: usize,
    },
    /// Two atoms share an id.
    #[error("atom id {id} appears twice (atoms {first} and {second} in file order)")]
    DuplicateId {
        /// The repeated id.
        id: u64,
        /// Zero-based index of the first atom with that id.
        first: usize,
        /// Zero-based index of the second atom with that id.
        second: usize,
    },
    /// An atom index past the end of a frame.
    #[error("atom index {index} in a frame of {len} atoms")]
    IndexOutOfRange {
        /// The index asked for (0-based).
        index: usize,
        /// The atoms of the frame.
        len: usize,
    },
    /// A position that is NaN or infinite.
    #[error("atom {index} (id {id}) has a non-finite position")]
    NonFinitePosition {
        /// Zero-based index of the atom.
        index: usize,
        /// Its id.
        id: u64,
    },
    /// A named column that collides with another one or with a reserved name.
    #[error("invalid column '{name}': {reason}")]
    InvalidColumn {
        /// The column name.
        name: String,
        /// Why it was refused.
        reason: String,
    },
    /// A position so far outside the box that its image count does not fit an `i32`.
    #[error("position {position:?} is too far outside the box to wrap")]
    ImageOverflow {
        /// The offending position.
        position: [f64; 3],
    },
    /// An element symbol that is not in the periodic table.
    #[error("unknown element '{0}': expected a chemical symbol such as Cu or Zr")]
    UnknownElement(String),
    /// An element with no tabulated Miracle radius and no override.
    #[error(
        "no Miracle radius is tabulated for {0}: give one as a radius override (for example {0}=1.40)"
    )]
    NoRadius(String),
    /// An atom type that the type map does not cover.
    #[error("atom type {atom_type} is not in the type map '{map}'")]
    UnmappedType {
        /// The LAMMPS type number.
        atom_type: u32,
        /// The map as text, for example `1=Cu,2=Zr`.
        map: String,
    },
    /// A type map or radius override string that does not parse.
    #[error("invalid {what} '{text}': {reason}")]
    InvalidMap {
        /// `type map` or `radius override`.
        what: &'static str,
        /// The whole text that was given.
        text: String,
        /// What was expected.
        reason: String,
    },
}
