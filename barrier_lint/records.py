"""`@record`: the value classes of the model and the analysis, without the `dataclasses` module.

`dataclasses` costs a cold start about 10 ms for itself (it imports `inspect`, hence `ast`, `dis`,
`tokenize`) and then more per class, since it compiles every generated method of every class on each
import; every lint imports some forty such classes (docs/performance.md, "Cold start"). This is the part of
it the project uses, and nothing more:

- the fields are the class's annotations, in order, with their class-level defaults, or `field(...)` for a
  `default_factory` or a field left out of equality;
- `__init__`, compiled for each class once it has made `COMPILE_AFTER` objects (the model is built in hot
  loops, so it assigns each field directly, as the dataclass did; compiling is what costs, about 0.15 ms a
  class, so the first objects of a class are made by a loop over its fields, and a lint of a small file
  compiles two classes instead of sixteen); the other methods are shared by every class,
  `__repr__` as `dataclasses` writes it (`Span(start_line=0, ...)`), and `__reduce__` so that pickling and
  `copy` work, frozen or not;
- `eq=True` (the default): `__eq__` compares the fields of two objects of the same class; then a frozen
  class hashes its fields and a mutable one is unhashable, as with `dataclasses`; `eq=False` keeps
  identity, as with `dataclasses`;
- `__init__`, `__repr__` or `__eq__` written in the class itself is kept, as `dataclasses` keeps it;
- `frozen=True`: assigning or deleting a field raises `FrozenInstanceError` (an `AttributeError`);
- `slots=True`: the class gets `__slots__` (it is made anew, as `dataclasses` does);
- `replace(obj, **changes)` and `fields(obj)` stand for `dataclasses.replace` and `dataclasses.fields`.

Not supported, because nothing here uses them: inheritance between records, `order`, `init=False`,
keyword-only fields, `__post_init__`.
"""

from __future__ import annotations

from operator import attrgetter

_MISSING = object()


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record."""


class Field:
    __slots__ = ("compare", "default", "default_factory", "name")

    def __init__(self, default=_MISSING, default_factory=_MISSING, compare: bool = True) -> None:
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.compare = compare

    def __repr__(self) -> str:
        return f"Field(name={self.name!r})"


def field(*, default=_MISSING, default_factory=_MISSING, compare: bool = True, hash: bool | None = None) -> Field:
    """A field with a `default_factory`, or left out of `__eq__` and `__hash__` (`compare=False`; `hash` is
    accepted for the dataclasses spelling and must agree with `compare`)."""
    if hash is not None and hash != compare:
        raise TypeError("a field is either compared and hashed or neither")
    return Field(default, default_factory, compare)


def record(cls=None, /, *, frozen: bool = False, eq: bool = True, slots: bool = False):
    """The class decorator (`@record`, `@record(frozen=True, slots=True)`)."""
    if cls is None:
        return lambda cls: _make(cls, frozen, eq, slots)
    return _make(cls, frozen, eq, slots)


def fields(obj) -> tuple[Field, ...]:
    return type(obj).__record_fields__ if not isinstance(obj, type) else obj.__record_fields__


def is_record(obj) -> bool:
    return hasattr(type(obj), "__record_fields__")


def replace(obj, /, **changes):
    """A copy of the record `obj` with some fields changed (`dataclasses.replace`)."""
    for name in changes:
        if name not in type(obj).__record_names__:
            raise TypeError(f"{type(obj).__name__} has no field {name!r}")
    return type(obj)(*[changes[n] if n in changes else getattr(obj, n) for n in type(obj).__record_names__])


def _make(cls, frozen: bool, eq: bool, slots: bool):
    namespace = dict(cls.__dict__)
    found = []
    for name, annotation in namespace.get("__annotations__", {}).items():
        if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = namespace.pop(name, _MISSING) if slots else namespace.get(name, _MISSING)
        spec = value if isinstance(value, Field) else Field(default=value)
        if isinstance(value, Field) and not slots:
            delattr(cls, name)  # a class attribute only for the default_factory's sake
        spec.name = name
        found.append(spec)
    names = tuple(f.name for f in found)

    methods = {"__init__": _first_init, "__repr__": _repr, "__reduce__": _reduce, "__record_frozen__": frozen}
    if eq:
        # Comparison and hashing go through a tuple of the compared fields, as the dataclass's did.
        compared = [f.name for f in found if f.compare]
        methods["__record_key__"] = attrgetter(*compared) if len(compared) > 1 else _key_of(compared)
        methods["__eq__"] = _eq
        methods["__hash__"] = _hash if frozen else None  # as dataclasses: mutable and compared, so unhashable
    if frozen:
        methods["__setattr__"] = _frozen_setattr
        methods["__delattr__"] = _frozen_delattr
    for own in ("__init__", "__repr__", "__eq__"):  # as with dataclasses, a method the class writes itself stays
        if own in cls.__dict__:
            methods.pop(own, None)
    methods["__record_fields__"] = tuple(found)
    methods["__record_names__"] = names
    if not slots:
        for name, value in methods.items():
            setattr(cls, name, value)
        return cls
    namespace.update(methods)
    namespace["__slots__"] = names
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    return type(cls)(cls.__name__, cls.__bases__, namespace)


# Objects a class makes before its `__init__` is compiled.
COMPILE_AFTER = 8


def _first_init(self, *args, **kwargs) -> None:
    """Every record's `__init__` until it has made `COMPILE_AFTER` objects: it sets the fields as the
    compiled one would, then compiles that one and puts it on the class in its place. Arguments it cannot
    bind go to the compiled one at once, for the very `TypeError` it raises."""
    cls = self.__class__
    made = cls.__dict__.get("__record_made__", 0)
    values = None if made >= COMPILE_AFTER else _bound(cls, args, kwargs)
    if values is None:
        cls.__init__ = _compiled_init(cls)
        cls.__init__(self, *args, **kwargs)
        return
    cls.__record_made__ = made + 1
    assign = object.__setattr__ if cls.__record_frozen__ else setattr
    for name, value in values:
        assign(self, name, value)


def _bound(cls, args: tuple, kwargs: dict) -> list[tuple[str, object]] | None:
    """(field, value) for every field, in order, as the compiled `__init__` binds them; None when they
    cannot be bound (too many, unknown, repeated or missing arguments)."""
    fields = cls.__record_fields__
    if len(args) > len(fields) or any(name not in cls.__record_names__ for name in kwargs):
        return None
    values = []
    for index, f in enumerate(fields):
        if index < len(args):
            if f.name in kwargs:
                return None
            value = args[index]
        elif f.name in kwargs:
            value = kwargs[f.name]
        elif f.default_factory is not _MISSING:
            value = f.default_factory()
        elif f.default is not _MISSING:
            value = f.default
        else:
            return None
        values.append((f.name, value))
    return values


_MEMBER = type(Field.name)  # (the descriptor of a slot)


def _compiled_init(cls):
    """`__init__` for the fields of `cls`: compiled, since the model is built in hot loops, so that it
    assigns each field directly, as the dataclass's did. Defaults and factories are its globals."""
    scope: dict = {"_MISSING": _MISSING, "_set": object.__setattr__}
    parameters, body = [], []
    for f in cls.__record_fields__:
        if f.default_factory is not _MISSING:
            scope[f"_factory_{f.name}"] = f.default_factory
            parameters.append(f"{f.name}=_MISSING")
            value = f"_factory_{f.name}() if {f.name} is _MISSING else {f.name}"
        else:
            if f.default is not _MISSING:
                scope[f"_default_{f.name}"] = f.default
                parameters.append(f"{f.name}=_default_{f.name}")
            else:
                parameters.append(f.name)
            value = f.name
        if not cls.__record_frozen__:
            body.append(f"self.{f.name} = {value}")
        elif type(cls.__dict__.get(f.name)) is _MEMBER:  # a slot: its own setter, a third faster than `_set`
            scope[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
            body.append(f"_set_{f.name}(self, {value})")
        else:
            body.append(f"_set(self, {f.name!r}, {value})")
    source = f"def __init__(self, {', '.join(parameters)}):\n    " + "\n    ".join(body or ["pass"])
    exec(source, scope)  # noqa: S102 - built above from the class's own field names
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _key_of(names: list[str]):
    if not names:
        return lambda obj: ()
    get = attrgetter(names[0])
    return lambda obj: (get(obj),)


def _eq(self, other):
    if other.__class__ is not self.__class__:
        return NotImplemented
    key = self.__class__.__record_key__  # from the class: a function there is not bound
    return key(self) == key(other)


def _hash(self) -> int:
    return hash(self.__class__.__record_key__(self))


def _repr(self) -> str:
    shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in type(self).__record_names__)
    return f"{type(self).__qualname__}({shown})"


def _reduce(self):
    return type(self), tuple(getattr(self, n) for n in type(self).__record_names__)


def _frozen_setattr(self, name, value):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self, name):
    raise FrozenInstanceError(f"cannot delete field {name!r}")
