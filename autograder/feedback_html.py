"""nbgrader's feedback page with its maths as MathML, so that it renders offline.

nbconvert's HTML export leaves ``$...$`` in markdown cells for MathJax, which the page
loads from a CDN: a student who opens the feedback file offline sees raw TeX. This
exporter writes each formula as MathML (converted by ``latex2mathml``), which browsers
render natively; MathJax, when it does load, renders MathML too.

``nbgrader_config.py`` makes it the exporter of ``nbgrader generate_feedback``.
"""
from __future__ import annotations

import html

from latex2mathml.converter import convert
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

try:                                  # a jinja2 context filter, as nbconvert declares its own
    from jinja2 import pass_context as _context_filter
except ImportError:                   # jinja2 < 3
    from jinja2 import contextfilter as _context_filter

__all__ = ["MathMLHTMLExporter", "MathMLRenderer", "tex_to_mathml"]


def tex_to_mathml(tex: str, *, display: bool = False) -> str:
    """MathML for one TeX formula; TeX that latex2mathml cannot read stays TeX, in <code>."""
    try:
        return convert(tex.strip(), display="block" if display else "inline")
    except Exception:                 # any parse error of the converter: show the source
        return f'<code class="tex">{html.escape(tex.strip())}</code>'


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, writing formulas as MathML instead of TeX for MathJax."""

    def block_math(self, body: str) -> str:
        return tex_to_mathml(body, display=True)

    def inline_math(self, body: str) -> str:
        return tex_to_mathml(body)

    def latex_environment(self, name: str, body: str) -> str:
        return tex_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)


class MathMLHTMLExporter(HTMLExporter):
    """HTMLExporter whose markdown cells carry MathML (same options as HTMLExporter)."""

    @_context_filter
    def markdown2html(self, context, source):
        cell = context.get("cell", {})
        renderer = MathMLRenderer(
            escape=False,
            attachments=cell.get("attachments", {}),
            embed_images=self.embed_images,
            path=context.get("resources", {}).get("metadata", {}).get("path", ""),
            anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links,
            **self.lexer_options,
        )
        return MarkdownWithMath(renderer=renderer).render(source)
