"""Demo data that looks like the real network: the 2013 cycle on young people's access to housing."""

from workspace.demo.loader import DEMO_PASSWORD, DEMO_SIGN_INS, load_demo

__all__ = ["DEMO_PASSWORD", "DEMO_SIGN_INS", "load_demo"]
