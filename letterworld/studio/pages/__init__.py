"""Every studio page; importing this package registers them (web.page)."""

from importlib import import_module

for _name in ("dashboard", "queue", "translate", "compose", "design", "admin"):
    try:
        import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as exc:  # a page module not written yet must not hide another's error
        if exc.name != f"{__name__}.{_name}":
            raise
