"""Quantiles of the gamma distribution of large shape, with numpy alone.

The exact Poisson limits of a count O are gamma quantiles: x with P(O, x) = a/2 and
P(O + 1, x) = 1 - a/2, P the regularized lower incomplete gamma function. scipy.special's
gammaincinv computes them, but importing scipy.special costs 0.12-0.19 s of CPU: a
server's first map of a week with a region's total above the table of limits_table.py
paid it. For shapes of 4,096 and more and p from 1e-9 to 0.9995 this module finds the
same x, to within 1e-13 of scipy's (tests/test_gamma_quantiles.py checks it, for shapes
up to 10**8):

- a first guess by Wilson and Hilferty's cube-root normal approximation;
- Halley steps on P(a, x) - p, whose first two derivatives are known in closed form;
- P(a, x) = x^a e^-x / Gamma(a + 1) * sum over n >= 0 of x^n / ((a + 1)...(a + n)), the
  logarithm of the prefactor written as a (log1p(t) - t) - log(2 pi a) / 2 - Stirling's
  series with t = (x - a) / a, so that no two large numbers are subtracted.

The series needs about (x - a) + 12 sqrt(a) terms, each one rounding of a product away
from the last; its rounding grows as sqrt(a) while P's slope at the quantile, sqrt(a)
phi(z), grows as fast, so x stays as precise for any large shape. Above p = 0.9995 the
rounding of P itself (near 1) would start to show in x: its limit.
"""

from __future__ import annotations

import math

import numpy as np

SMALLEST_SHAPE = 4096  # where Stirling's series, cut after a^-5, is exact to the float
SMALLEST_P, LARGEST_P = 1e-9, 0.9995  # (Fingertips' levels need 0.001 to 0.999)
STEPS = 8  # Halley steps at most: three suffice from Wilson-Hilferty's guess
CELLS = 1 << 20  # terms of the series summed at once, bounding the memory it takes


def gamma_quantiles(shapes, p: float) -> np.ndarray:
    """x with P(a, x) = p for each shape a >= 4,096 (P the regularized lower incomplete
    gamma function, as scipy.special.gammaincinv(a, p)), for 1e-9 <= p <= 0.9995."""
    a = np.asarray(shapes, dtype="float64")
    if not (a >= SMALLEST_SHAPE).all():
        raise ValueError(f"gamma_quantiles takes shapes of {SMALLEST_SHAPE} and more")
    if not SMALLEST_P <= p <= LARGEST_P:
        raise ValueError(f"gamma_quantiles takes p from {SMALLEST_P} to {LARGEST_P}")
    flat = a.ravel()
    out = np.empty_like(flat)
    if not flat.size:
        return out.reshape(a.shape)
    order = np.argsort(flat)  # (similar shapes together: a batch sums as many terms as its largest)
    for batch in np.array_split(order, max(1, math.ceil(_cells(flat.max()) * flat.size / CELLS))):
        out[batch] = _solve(flat[batch], p)
    return out.reshape(a.shape)


def _solve(a: np.ndarray, p: float) -> np.ndarray:
    """gamma_quantiles of a one-dimensional array of shapes."""
    # (statistics imported here: a server imports it for nothing else, and it takes 2-5 ms)
    from statistics import NormalDist

    z = NormalDist().inv_cdf(p)
    x = a * (1 - 1 / (9 * a) + z / (3 * np.sqrt(a))) ** 3
    for _ in range(STEPS):
        prefactor = np.exp(_log_prefactor(a, x))
        # Newton's step (P - p) / P', with P' = prefactor * a / x; Halley's correction
        # uses P'' / P' = (a - 1) / x - 1.
        newton = (_series(a, x) - p / prefactor) * x / a
        step = newton / (1 - newton * ((a - 1) / x - 1) / 2)
        x = x - step
        if (np.abs(step) <= 1e-14 * x).all():  # (the next step would be rounding)
            break
    return x


def _log_prefactor(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log(x^a e^-x / Gamma(a + 1)), with Stirling's series for log Gamma(a + 1)."""
    stirling = 1 / (12 * a) - 1 / (360 * a**3) + 1 / (1260 * a**5)
    return a * _log1pmx((x - a) / a) - 0.5 * np.log(2 * np.pi * a) - stirling


def _log1pmx(t: np.ndarray) -> np.ndarray:
    """log(1 + t) - t, without the cancellation of its two terms near t = 0.

    With u = t / (2 + t), log(1 + t) = 2 atanh(u) = 2 (u + u^3/3 + u^5/5 + ...) and
    t - 2u = u t, so log(1 + t) - t = -u t + 2 u^3 (1/3 + u^2/5 + u^4/7 + ...).
    """
    near = np.abs(t) < 0.25
    u = np.where(near, t, 0.0) / (2 + np.where(near, t, 0.0))
    v = u * u
    tail = np.zeros_like(u)
    for k in range(14, 0, -1):  # (|u| < 1/7: v^14 < 1e-23)
        tail = tail * v + 1 / (2 * k + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        far = np.log1p(t) - t
    return np.where(near, -u * t + 2 * u * v * tail, far)


def _cells(a: float) -> int:
    """Terms of the series a shape needs at its quantiles (p from 1e-9 to 0.9995)."""
    return int(20 * math.sqrt(a)) + 64


def _series(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The sum over n >= 0 of x^n / ((a + 1)...(a + n)), for each shape and its x."""
    terms = _cells(a.max())
    n = np.arange(1, terms, dtype="float64")
    ratios = x[:, None] / (a[:, None] + n)
    products = np.cumprod(ratios, axis=1)
    # Past n = x - a the terms fall like exp(-(n - (x - a))^2 / 2a): at 20 sqrt(a) terms
    # the last is below 1e-20 of the largest for any p the function takes (a check).
    if not (products[:, -1] < 1e-20 * products.max(axis=1)).all():
        raise ArithmeticError("gamma_quantiles: too few terms of the series")
    return 1 + products.sum(axis=1)
