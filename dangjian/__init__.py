"""dangjian — 基层党建质量提升平台."""

__version__ = "0.1.0"
