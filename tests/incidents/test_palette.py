"""The taxonomy's type colours stay apart for readers with red-green colour blindness (issue 12).

Deuteranopia and protanopia are simulated with Machado, Oliveira and Fernandes (2009)'s matrices
at full severity, applied in linear sRGB; colours are compared in CIELAB (D65, delta E 1976).
The page and the static maps both read their colours from ``taxonomy.toml``, so this one check
covers both.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from geomap.incidents.taxonomy import load_taxonomy

#: Machado et al. 2009, severity 1.0 (linear RGB -> linear RGB).
SIMULATIONS = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
}
#: Smallest CIELAB distance between two type colours, in every vision (about the distance between
#: two clearly different greens; the old palette had 4.6 under protanopia: shelling ~ diplomacy).
MIN_DISTANCE = 14.0
#: The map's land, sea, pin background and cluster/area colour: no type may be drawn in them.
BACKGROUNDS = {"land": "#f3f0e8", "sea": "#dce9f2", "pin": "#ffffff", "cluster": "#263238"}
MIN_BACKGROUND_DISTANCE = 20.0


def _linear(rgb: np.ndarray) -> np.ndarray:
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    xyz = linear @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                             [0.0193, 0.1192, 0.9505]]).T
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def seen(colour: str, vision: str) -> np.ndarray:
    """The CIELAB colour that a reader with ``vision`` sees for a CSS colour."""
    linear = _linear(np.array(to_rgb(colour)))
    return _lab(np.clip(linear @ SIMULATIONS[vision].T, 0, 1))


def test_simulation_merges_red_and_green():
    # the simulation itself: pure red and a green of similar lightness become close under
    # deuteranopia, while they are far apart in normal vision
    normal = np.linalg.norm(seen("#c83200", "normal") - seen("#6e7a00", "normal"))
    deutan = np.linalg.norm(seen("#c83200", "deuteranopia") - seen("#6e7a00", "deuteranopia"))
    assert normal > 40 and deutan < normal / 3


@pytest.mark.parametrize("vision", sorted(SIMULATIONS))
def test_type_colours_stay_apart(vision):
    taxonomy = load_taxonomy()
    colours = {t.id: seen(t.colour, vision) for t in (*taxonomy.types.values(), taxonomy.other)}
    closest = min(((float(np.linalg.norm(colours[a] - colours[b])), a, b)
                   for a, b in itertools.combinations(colours, 2)))
    assert closest[0] >= MIN_DISTANCE, f"{vision}: {closest[1]} and {closest[2]} look alike ({closest[0]:.1f})"


@pytest.mark.parametrize("vision", sorted(SIMULATIONS))
def test_type_colours_clear_of_the_map(vision):
    taxonomy = load_taxonomy()
    for t in (*taxonomy.types.values(), taxonomy.other):  # the "other" layer is drawn too
        for name, background in BACKGROUNDS.items():
            distance = float(np.linalg.norm(seen(t.colour, vision) - seen(background, vision)))
            assert distance >= MIN_BACKGROUND_DISTANCE, f"{vision}: {t.id} close to the {name} ({distance:.1f})"
