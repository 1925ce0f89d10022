"""How the demo's animals move: a behaviour state machine per animal driving a bending body.

The whole recording is simulated up front (it is cheap: a few floats per animal per frame), so
rendering any frame is a pure function of its index. Each animal is a chain of five spine
points led by the snout and a chain of tail points led by the tail base; every point follows
the one before it at a fixed distance ("follow the leader"), with a limit on how sharply the
chain may bend. So bodies curve through turns and tails trail along the path just taken.

States (the ethogram in `config.BEHAVIOURS`): walk (smooth random heading, wall-following as
mice do), turn (a sharp turn, nearly on the spot), rest, groom (body still, head tucked and
jittering), social (approach and follow another animal's rear or head). The state on each frame
is the ground-truth behaviour label.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.demo.arena import Arena
from core.demo.config import GROOM, REST, SOCIAL, TURN, WALK, WorldConfig

# Spine segments as fractions of body length: snout-neck, neck-shoulders, shoulders-hips,
# hips-tail base.
SPINE_FRACTIONS = (0.27, 0.23, 0.26, 0.24)
TAIL_SEGMENTS = 8
TAIL_FRACTION = 0.9
BODY_LENGTH_OF_ARENA = 0.40  # body length as a fraction of the arena's smaller half-extent
_HALF_WIDTH = 0.21  # half the body's width, in body lengths (animal.py draws 0.40-0.45 wide)
SPINE_MARGIN = 0.27  # how far (in body lengths) spine points keep from the wall: half a body width plus ears

_NEXT_STATE = {
    WALK: ((TURN, 0.3), (REST, 0.18), (GROOM, 0.22), (WALK, 0.3)),
    TURN: ((WALK, 0.75), (REST, 0.1), (GROOM, 0.15)),
    REST: ((WALK, 0.6), (GROOM, 0.25), (TURN, 0.15)),
    GROOM: ((WALK, 0.55), (REST, 0.3), (TURN, 0.15)),
    SOCIAL: ((WALK, 0.5), (GROOM, 0.3), (REST, 0.2)),
}
_SOCIAL_RANGE = 3.0  # body lengths between centres within which an animal may start a social bout
_SOCIAL_RATE = 0.25  # per second, while walking near another animal


@dataclass(frozen=True)
class Trajectories:
    """Poses of every animal on every frame (pixel coordinates, float32).

    spine: (F, A, 5, 2) snout (as drawn: the head turns and tucks), neck, shoulders, hips,
    tail base. tail: (F, A, TAIL_SEGMENTS + 1, 2) from tail base to tail tip.
    behaviour: (F, A) int8 index into `BEHAVIOURS`. depth: (F, A) int16 drawing rank (0 is
    drawn first, lowest). breath: (F, A) float32 body-width scale.
    """

    spine: np.ndarray
    tail: np.ndarray
    behaviour: np.ndarray
    depth: np.ndarray
    breath: np.ndarray


def _wrap(angle: float) -> float:
    return (angle + math.pi) % (2 * math.pi) - math.pi


def _follow(points: np.ndarray, lengths: tuple[float, ...], back: tuple[float, float], max_bend: float) -> None:
    """Drag `points[1:]` after `points[0]` in place, each at its segment length from the one
    before, bending at most `max_bend` radians per joint; `back` is the direction the first
    segment bends relative to (opposite the heading)."""
    px, py = back
    for k in range(1, len(points)):
        dx = points[k, 0] - points[k - 1, 0]
        dy = points[k, 1] - points[k - 1, 1]
        norm = math.hypot(dx, dy)
        if norm < 1e-9:
            dx, dy = px, py
        else:
            dx, dy = dx / norm, dy / norm
        cross = px * dy - py * dx
        dot = px * dx + py * dy
        bend = math.atan2(cross, dot)
        if abs(bend) > max_bend:
            a = math.copysign(max_bend, bend)
            dx, dy = px * math.cos(a) - py * math.sin(a), px * math.sin(a) + py * math.cos(a)
        points[k, 0] = points[k - 1, 0] + dx * lengths[k - 1]
        points[k, 1] = points[k - 1, 1] + dy * lengths[k - 1]
        px, py = dx, dy


class _Animal:
    """One animal's simulation state. Speeds are in body lengths per second."""

    def __init__(self, length: float, rng: np.random.Generator) -> None:
        self.L = length
        self.rng = rng
        self.seg = tuple(f * length for f in SPINE_FRACTIONS)
        self.tail_seg = (TAIL_FRACTION * length / TAIL_SEGMENTS,) * TAIL_SEGMENTS
        self.spine = np.zeros((5, 2))
        self.tail = np.zeros((TAIL_SEGMENTS + 1, 2))
        self.theta = 0.0
        self.v = 0.0
        self.omega = 0.0
        self.state = WALK
        self.time_left = 0.0
        self.v_target = 1.0
        self.turn_rate = 0.0
        self.partner = -1
        self.partner_rear = True
        self.cooldown = rng.uniform(1.0, 6.0)  # so not every animal starts by seeking company
        self.yaw = 0.0
        self.yaw_target = 0.0
        self.tuck = 0.0
        self.phase = rng.uniform(0, 2 * math.pi, 4)

    def place(self, x: float, y: float, theta: float) -> None:
        self.theta = theta
        back = (-math.cos(theta), -math.sin(theta))
        self.spine[0] = (x, y)
        for k, s in enumerate(self.seg, start=1):
            self.spine[k] = self.spine[k - 1] + np.multiply(back, s)
        bend = self.rng.uniform(-0.2, 0.2)
        self.tail[0] = self.spine[-1]
        for k in range(1, TAIL_SEGMENTS + 1):
            a = theta + math.pi + bend * k
            self.tail[k] = self.tail[k - 1] + self.tail_seg[0] * np.array([math.cos(a), math.sin(a)])
        self.start(WALK)

    @property
    def centre(self) -> np.ndarray:
        return 0.5 * (self.spine[2] + self.spine[3])

    def start(self, state: int) -> None:
        rng = self.rng
        self.state = state
        if state == WALK:
            self.time_left = max(0.6, rng.gamma(3.0, 1.0))
            self.v_target = rng.uniform(0.6, 2.0)
        elif state == TURN:
            self.turn_rate = rng.choice((-1.0, 1.0)) * rng.uniform(2.0, 3.5)
            self.time_left = rng.uniform(math.pi / 2, 1.1 * math.pi) / abs(self.turn_rate) + 0.15
            self.v_target = 0.45
        elif state == REST:
            self.time_left = max(1.0, rng.gamma(2.5, 1.6))
            self.v_target = 0.0
        elif state == GROOM:
            self.time_left = max(1.0, rng.gamma(3.0, 1.2))
            self.v_target = 0.0
            self.yaw_target = rng.choice((-1.0, 1.0)) * rng.uniform(0.35, 0.7)
        elif state == SOCIAL:
            self.time_left = rng.uniform(2.0, 5.0)
            self.partner_rear = bool(rng.random() < 0.65)

    def next_state(self) -> int:
        options = _NEXT_STATE[self.state]
        p = np.array([w for _, w in options])
        return options[int(self.rng.choice(len(options), p=p / p.sum()))][0]


class _Simulation:
    def __init__(self, config: WorldConfig, arena: Arena, lengths: list[float], rng: np.random.Generator) -> None:
        self.dt = 1.0 / config.fps
        self.arena = arena
        self.animals = [_Animal(L, np.random.default_rng(rng.integers(2**63))) for L in lengths]
        self.layer = rng.permutation(len(lengths)).astype(float)
        self.contact = np.zeros((len(lengths), len(lengths)), dtype=bool)
        self._place(rng)

    def _place(self, rng: np.random.Generator) -> None:
        placed: list[_Animal] = []
        for animal in self.animals:
            for attempt in range(400):
                x = rng.uniform(self.arena.cx - self.arena.half[0], self.arena.cx + self.arena.half[0])
                y = rng.uniform(self.arena.cy - self.arena.half[1], self.arena.cy + self.arena.half[1])
                animal.place(x, y, rng.uniform(-math.pi, math.pi))
                inside = (self.arena.signed_distance(animal.spine) >= SPINE_MARGIN * animal.L).all() and (
                    self.arena.signed_distance(animal.tail) >= 0.05 * animal.L).all()
                apart = all(np.hypot(*(animal.centre - o.centre)) > 1.2 * max(animal.L, o.L) for o in placed)
                # A crowded arena may have no room to keep them apart; inside is a must.
                if inside and (apart or attempt > 300):
                    break
            else:
                animal.place(self.arena.cx, self.arena.cy, 0.0)
                animal.spine[:] = self.arena.clamp(animal.spine, SPINE_MARGIN * animal.L)
                animal.tail[:] = self.arena.clamp(animal.tail, 0.05 * animal.L)
            placed.append(animal)

    def step(self, t: float) -> None:
        dt = self.dt
        for i, a in enumerate(self.animals):
            self._choose_state(i, a)
            omega, v_target = self._control(i, a, t)
            omega += self._avoid_walls(a) + self._avoid_others(i, a)
            a.omega = omega
            a.theta = _wrap(a.theta + omega * dt)
            a.v += (v_target - a.v) * min(1.0, dt / 0.25)
            h = (math.cos(a.theta), math.sin(a.theta))
            a.spine[0] += np.multiply(h, a.v * a.L * dt)
            a.spine[0] = self.arena.clamp(a.spine[0], SPINE_MARGIN * a.L)
            _follow(a.spine, a.seg, (-h[0], -h[1]), max_bend=0.3)
            a.spine[1:] = self.arena.clamp(a.spine[1:], SPINE_MARGIN * a.L)
            a.tail[0] = a.spine[-1]
            back = a.spine[-1] - a.spine[-2]
            back /= max(np.hypot(*back), 1e-9)
            _follow(a.tail, a.tail_seg, (back[0], back[1]), max_bend=0.4)
            a.tail[1:] = self.arena.clamp(a.tail[1:], 0.04 * a.L)
        self._separate()
        self._update_layers()

    def _choose_state(self, i: int, a: _Animal) -> None:
        dt = self.dt
        a.time_left -= dt
        a.cooldown = max(0.0, a.cooldown - dt)
        neighbour = self._nearest(i)
        near = neighbour >= 0 and np.hypot(*(self.animals[neighbour].centre - a.centre)) < _SOCIAL_RANGE * a.L
        if a.state == SOCIAL:
            partner = self.animals[a.partner]
            lost = np.hypot(*(partner.centre - a.centre)) > 4.5 * a.L
            if a.time_left <= 0 or lost:
                a.start(a.next_state())
                a.cooldown = a.rng.uniform(5.0, 12.0)
            return
        may_socialise = near and a.cooldown <= 0 and a.state in (WALK, TURN)
        if may_socialise and a.rng.random() < 1 - math.exp(-_SOCIAL_RATE * dt):
            a.partner = neighbour
            a.start(SOCIAL)
        elif a.time_left <= 0:
            if near and a.cooldown <= 0 and a.rng.random() < 0.2:
                a.partner = neighbour
                a.start(SOCIAL)
            else:
                a.start(a.next_state())

    def _nearest(self, i: int) -> int:
        best, best_d = -1, math.inf
        for j, other in enumerate(self.animals):
            if j != i:
                d = float(np.hypot(*(other.centre - self.animals[i].centre)))
                if d < best_d:
                    best, best_d = j, d
        return best

    def _control(self, i: int, a: _Animal, t: float) -> tuple[float, float]:
        """Angular velocity (rad/s) and target speed (body lengths/s) for this frame."""
        dt = self.dt
        if a.state == WALK:
            # Ornstein-Uhlenbeck turning: smooth, wandering heading changes.
            omega = a.omega - a.omega * dt / 0.5 + 2.2 * math.sqrt(dt) * a.rng.standard_normal()
            return max(-3.0, min(3.0, omega)), a.v_target
        if a.state == TURN:
            return a.turn_rate, a.v_target
        if a.state == SOCIAL:
            partner = self.animals[a.partner]
            target = partner.spine[4] if a.partner_rear else partner.spine[0]
            dx, dy = target - a.spine[0]
            dist = math.hypot(dx, dy)
            omega = 5.0 * _wrap(math.atan2(dy, dx) - a.theta)
            v = 1.7 * min(1.0, max(0.0, (dist - 0.1 * a.L) / (0.8 * a.L)))
            return max(-5.0, min(5.0, omega)), v
        return 0.0, 0.0

    def _avoid_walls(self, a: _Animal) -> float:
        if a.state in (REST, GROOM):
            return 0.0
        h = np.array([math.cos(a.theta), math.sin(a.theta)])
        ahead = a.spine[0] + 0.3 * a.L * h
        soft = 0.6 * a.L
        d = float(self.arena.signed_distance(ahead)) - SPINE_MARGIN * a.L
        if d >= soft:
            return 0.0
        n = self.arena.inward_normal(ahead)
        if h @ n > 0.5:
            return 0.0
        # Turn onto the wall's tangent nearest the heading, leaning slightly inwards: mice run
        # along walls (thigmotaxis) rather than bouncing off them.
        tangent = np.array([-n[1], n[0]])
        if tangent @ h < 0:
            tangent = -tangent
        desired = tangent + 0.35 * n
        error = _wrap(math.atan2(desired[1], desired[0]) - a.theta)
        return 6.0 * error * min(1.0, 1.0 - d / soft)

    def _avoid_others(self, i: int, a: _Animal) -> float:
        if a.state in (REST, GROOM):
            return 0.0
        h = (math.cos(a.theta), math.sin(a.theta))
        omega = 0.0
        for j, other in enumerate(self.animals):
            if j == i or (a.state == SOCIAL and j == a.partner):
                continue
            dx, dy = other.centre - a.spine[0]
            dist = math.hypot(dx, dy)
            reach = 0.6 * (a.L + other.L)
            if dist < reach and (h[0] * dx + h[1] * dy) > 0.3 * dist:
                side = h[0] * dy - h[1] * dx  # >0: the other lies to the heading's positive-angle side
                omega -= math.copysign(3.0 * (1 - dist / reach), side)
        return omega

    def _separate(self) -> None:
        """Push overlapping bodies apart: animals may touch, huddle and overlap at the edges
        (noses may reach in to sniff), but bodies never pass through each other."""
        for i, a in enumerate(self.animals):
            for j in range(i + 1, len(self.animals)):
                b = self.animals[j]
                # Bodies as chains of discs (neck to tail base), each as wide as the body.
                gaps = a.spine[1:, None, :] - b.spine[None, 1:, :]
                dists = np.hypot(gaps[..., 0], gaps[..., 1])
                k = np.unravel_index(np.argmin(dists), dists.shape)
                dist = float(dists[k])
                limit = 0.75 * _HALF_WIDTH * (a.L + b.L)
                if dist < limit:
                    u = -gaps[k] / dist if dist > 1e-9 else np.array([1.0, 0.0])
                    push = 0.5 * (limit - dist) * u
                    for animal, sign in ((a, -1.0), (b, 1.0)):
                        animal.spine += sign * push
                        animal.tail += sign * push
                        animal.spine[:] = self.arena.clamp(animal.spine, SPINE_MARGIN * animal.L)
                        animal.tail[:] = self.arena.clamp(animal.tail, 0.04 * animal.L)

    def _update_layers(self) -> None:
        """The animal that moves onto another climbs over it: it is drawn on top from then on."""
        n = len(self.animals)
        for i in range(n):
            for j in range(i + 1, n):
                a, b = self.animals[i], self.animals[j]
                gap = np.min(np.hypot(*(a.spine[:, None, :] - b.spine[None, :, :]).transpose(2, 0, 1)))
                touching = gap < 0.35 * (a.L + b.L)
                if touching and not self.contact[i, j]:
                    a_climbs = (a.state == SOCIAL and a.partner == j) or (
                        not (b.state == SOCIAL and b.partner == i) and a.v > b.v)
                    self.layer[i if a_climbs else j] = self.layer.max() + 1
                self.contact[i, j] = touching

    def head_pose(self, a: _Animal, t: float) -> tuple[np.ndarray, float]:
        """The drawn snout (the head turns and tucks without moving the body) and breathing."""
        dt = self.dt
        if a.state == GROOM:
            # Grooming: head tucked and turned to one flank, switching sides now and then,
            # with a fast scrubbing jitter.
            if a.rng.random() < dt / 1.5:
                a.yaw_target = -a.yaw_target
            tuck_target = 0.3
            jitter = 0.13 * math.sin(2 * math.pi * 4.2 * t + a.phase[0]) + 0.05 * a.rng.standard_normal()
        elif a.state == REST:
            if a.rng.random() < dt / 2.5:
                a.yaw_target = a.rng.uniform(-0.3, 0.3)
            tuck_target, jitter = 0.1, 0.0
        else:
            a.yaw_target = max(-0.35, min(0.35, 0.12 * a.omega))
            tuck_target = 0.0
            jitter = 0.05 * math.sin(2 * math.pi * 3.5 * t + a.phase[1]) * min(1.0, a.v)
        a.yaw += (a.yaw_target - a.yaw) * min(1.0, dt / 0.15)
        a.tuck += (tuck_target - a.tuck) * min(1.0, dt / 0.3)
        angle = a.yaw + jitter
        rel = (a.spine[0] - a.spine[1]) * (1.0 - a.tuck)
        c, s = math.cos(angle), math.sin(angle)
        snout = a.spine[1] + np.array([c * rel[0] - s * rel[1], s * rel[0] + c * rel[1]])
        rate = 2.8 if a.state in (REST, GROOM) else 4.5
        breath = 1.0 + 0.03 * math.sin(2 * math.pi * rate * t + a.phase[2])
        return snout, breath


def simulate(config: WorldConfig, arena: Arena, lengths: list[float], rng: np.random.Generator) -> Trajectories:
    """The poses and behaviours of animals with body `lengths` (pixels) over the whole recording."""
    F, A = config.n_frames, len(lengths)
    spine = np.zeros((F, A, 5, 2), np.float32)
    tail = np.zeros((F, A, TAIL_SEGMENTS + 1, 2), np.float32)
    behaviour = np.zeros((F, A), np.int8)
    depth = np.zeros((F, A), np.int16)
    breath = np.ones((F, A), np.float32)
    sim = _Simulation(config, arena, lengths, rng)
    for f in range(F):
        t = f / config.fps
        if f > 0:
            sim.step(t)
        for k, a in enumerate(sim.animals):
            snout, breath[f, k] = sim.head_pose(a, t)
            spine[f, k, 0] = arena.clamp(snout, 0.12 * a.L)
            spine[f, k, 1:] = a.spine[1:]
            tail[f, k] = a.tail
            behaviour[f, k] = a.state
        depth[f] = np.argsort(np.argsort(sim.layer))
    return Trajectories(spine=spine, tail=tail, behaviour=behaviour, depth=depth, breath=breath)
