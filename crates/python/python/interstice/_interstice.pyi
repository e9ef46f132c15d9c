"""Type stubs of the extension module (the Rust library); see `interstice`."""

from os import PathLike
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

Types = Union[Mapping[int, str], str, None]

class Frame:
    """One configuration: atoms, periodic box, and the elements of its types."""

    @staticmethod
    def from_arrays(
        positions: npt.NDArray[np.float64],
        types: Union[npt.NDArray[np.int64], Sequence[str]],
        cell: npt.NDArray[np.float64],
        origin: Optional[Sequence[float]] = None,
        pbc: Tuple[bool, bool, bool] = (True, True, True),
        ids: Optional[npt.NDArray[np.int64]] = None,
        type_map: Types = None,
    ) -> "Frame": ...
    def __len__(self) -> int: ...
    @property
    def positions(self) -> npt.NDArray[np.float64]: ...
    @property
    def ids(self) -> npt.NDArray[np.uint64]: ...
    @property
    def types(self) -> npt.NDArray[np.uint32]: ...
    @property
    def cell(self) -> npt.NDArray[np.float64]: ...
    @property
    def origin(self) -> List[float]: ...
    @property
    def pbc(self) -> List[bool]: ...
    @property
    def elements(self) -> Optional[Dict[int, str]]: ...

class Model:
    """A trained ensemble of fold models; softness is their mean probability."""

    @staticmethod
    def load(path: Union[str, PathLike]) -> "Model": ...
    def save(self, path: Union[str, PathLike]) -> None: ...
    @property
    def features(self) -> List[str]: ...
    @property
    def metrics_json(self) -> Optional[str]: ...
    def softness(
        self, values: npt.NDArray[np.float64], columns: List[str]
    ) -> npt.NDArray[np.float64]: ...

def read_dump(path: Union[str, PathLike], frame: int = 0, types: Types = None) -> Frame: ...
def neighbors(frame: Frame, cutoff: float) -> Dict[str, np.ndarray]: ...
def voronoi(frame: Frame, radical: bool = False) -> Dict[str, np.ndarray]: ...
def d2min(
    reference: Frame,
    current: Frame,
    cutoff: float = 5.0,
    percent: float = 5.0,
    noise_floor: float = 0.01,
) -> Dict[str, np.ndarray]: ...
def label(
    reference: Frame,
    runs: Sequence[Frame],
    cutoff: float = 5.0,
    percent: float = 5.0,
    combine: str = "rank-mean",
    noise_floor: float = 0.01,
) -> Dict[str, np.ndarray]: ...
def featurize(
    frame: Frame, preset: str = "paper80", block_atoms: int = 200000
) -> Tuple[List[str], npt.NDArray[np.uint64], npt.NDArray[np.float64]]: ...
def train(
    values: npt.NDArray[np.float64],
    columns: List[str],
    labels: npt.NDArray[np.bool_],
    seed: int = 0,
    trees: int = 300,
) -> Model: ...
def run_config(path: Union[str, PathLike]) -> str: ...
def set_num_threads(n: int) -> None: ...
