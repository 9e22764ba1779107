from . import a
from .. import b
from ...c import d
from .... import e
from ..... f import g
from .x.y import (z,
    w as v)
import q . r . s as t  # spaced dotted name
x = "é"; import é_mod, mod2
def f():
    import inner
    class C:
        from outer import thing
    return lambda: __import__("lam")
async def g():
    import asyncmod
match = 1
import match
type = 2
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    import typed
elif sys.platform == "win32":
    import winreg
else:
    import posix
