"""Word searches: find every word in a grid (for the answer key), or make a new grid."""
from __future__ import annotations

import random
import string

DIRECTIONS = [(0, 1), (1, 0), (1, 1), (-1, 1), (0, -1), (-1, 0), (-1, -1), (1, -1)]


def letters(word: str) -> str:
    """Return the letters a word occupies in a grid: 'Miss Major' -> 'MISSMAJOR'."""
    return "".join(ch for ch in word.upper() if ch.isalnum())


def find(grid: tuple[str, ...], word: str) -> list[tuple[int, int]] | None:
    """Return the cells (row, col) of ``word`` in ``grid`` in any of 8 directions, or None."""
    target = letters(word)
    rows, cols = len(grid), len(grid[0]) if grid else 0
    for r in range(rows):
        for c in range(cols):
            if grid[r][c] != target[:1]:
                continue
            for dr, dc in DIRECTIONS:
                cells = [(r + i * dr, c + i * dc) for i in range(len(target))]
                if all(0 <= y < rows and 0 <= x < cols and grid[y][x] == ch
                       for (y, x), ch in zip(cells, target)):
                    return cells
    return None


def solve(grid: tuple[str, ...], words: tuple[str, ...]) -> tuple[dict[str, list[tuple[int, int]]], list[str]]:
    """Return (cells of each word found, words not in the grid)."""
    found, missing = {}, []
    for word in words:
        cells = find(grid, word)
        if cells is None:
            missing.append(word)
        else:
            found[word] = cells
    return found, missing


def generate(words: list[str], size: int = 15, seed: int = 1, tries: int = 500) -> tuple[str, ...]:
    """Return a new ``size`` x ``size`` grid holding every word, the same for the same seed."""
    rng = random.Random(seed)
    grid = [[""] * size for _ in range(size)]
    for word in sorted(words, key=lambda w: -len(letters(w))):
        target = letters(word)
        if len(target) > size:
            raise ValueError(f"{word!r} has {len(target)} letters; the grid is {size} wide")
        for _ in range(tries):
            dr, dc = rng.choice(DIRECTIONS)
            r, c = rng.randrange(size), rng.randrange(size)
            cells = [(r + i * dr, c + i * dc) for i in range(len(target))]
            if all(0 <= y < size and 0 <= x < size and grid[y][x] in ("", ch)
                   for (y, x), ch in zip(cells, target)):
                for (y, x), ch in zip(cells, target):
                    grid[y][x] = ch
                break
        else:
            raise ValueError(f"could not place {word!r} in a {size} x {size} grid; make it larger")
    return tuple("".join(ch or rng.choice(string.ascii_uppercase) for ch in row) for row in grid)
