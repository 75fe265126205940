"""The tables of LaTeX commands and characters the unicode rendering reads: symbols, relations, alphabets."""

from __future__ import annotations

LOWER = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa varkappa"
    " lambda mu nu xi omicron pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega"
)
UPPER = "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
GREEK = dict(zip(LOWER.split() + UPPER.split(), "αβγδϵεζηθϑικϰλμνξοπϖρϱσςτυϕφχψωΓΔΘΛΞΠΣΥΦΨΩ"))

SYMBOLS = dict(
    zip(
        "infty partial nabla ell hbar forall exists neg lnot emptyset varnothing top bot ast prime dots ldots"
        " cdots vdots ddots langle rangle lfloor rfloor lceil rceil lVert rVert Vert lvert rvert vert Re Im"
        " aleph dagger angle lbrace rbrace colon backslash".split(),
        "∞∂∇ℓℏ∀∃¬¬∅∅⊤⊥∗′………⋮⋱⟨⟩⌊⌋⌈⌉‖‖‖|||ℜℑℵ†∠{}:∖",
    )
)
RELATIONS = dict(
    zip(
        "leq le geq ge neq ne approx equiv sim simeq cong propto in notin ni subset subseteq supset supseteq"
        " to rightarrow leftarrow gets Rightarrow Leftarrow Leftrightarrow leftrightarrow implies iff mapsto"
        " ll gg prec succ perp parallel mid coloneqq triangleq models vdash".split(),
        "≤≤≥≥≠≠≈≡∼≃≅∝∈∉∋⊂⊆⊃⊇→→←←⇒⇐⇔↔⟹⟺↦≪≫≺≻⊥∥|≔≜⊨⊢",
    )
)
BINARY = dict(
    zip(
        "cdot times div circ odot otimes oplus ominus cup cap setminus wedge vee land lor bullet star".split(),
        "·×÷∘⊙⊗⊕⊖∪∩∖∧∨∧∨∙⋆",
    )
)
BIG = dict(zip("sum prod coprod int iint iiint oint bigcup bigcap bigoplus bigotimes".split(), "∑∏∐∫∬∭∮⋃⋂⨁⨂"))
ACCENTS = dict(
    zip(
        "hat widehat bar overline tilde widetilde vec overrightarrow dot ddot check breve acute"
        " grave mathring underline".split(),
        "\u0302\u0302\u0304\u0305\u0303\u0303\u20d7\u20d7\u0307\u0308\u030c\u0306\u0301\u0300\u030a\u0332",
    )
)  # combining marks
ACCENT_NAMES = {"widehat": "hat", "overline": "bar", "widetilde": "tilde", "overrightarrow": "vec"}
TEXT_FONTS = frozenset("text textrm textup textit textbf textsf texttt textnormal mbox hbox emph".split())
MATH_FONTS = frozenset(
    "mathrm mathbf mathit mathsf mathtt mathnormal mathfrak boldsymbol bm pmb boxed cancel underbrace overbrace".split()
)
IGNORED = frozenset(
    "left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr middle"
    " displaystyle textstyle scriptstyle limits nolimits nonumber notag hline".split()
)
DROP_ARG = frozenset("label tag hspace vspace color phantom hphantom vphantom cline".split())
ESCAPES = {"|": "‖", ",": " ", ":": " ", ";": " ", ">": " ", " ": " ", "!": ""}
BRACKETS = {"pmatrix": "()", "bmatrix": "[]", "Bmatrix": "{}", "vmatrix": "||", "Vmatrix": "‖‖"}
MATRICES = frozenset(BRACKETS) | {"matrix", "smallmatrix", "array"}

SUP = dict(
    zip(
        "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW⊤βγδθφχ′'*∗",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵀᵝᵞᵟᶿᵠᵡ′′**",
    )
)
# No subscript j: U+2C7C is missing from most terminal fonts, so x_{ij} reads better as x_(ij).
SUB = dict(zip("0123456789+-=()aehiklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ"))
DOUBLE = dict(zip("CHNPQRZ1", "ℂℍℕℙℚℝℤ𝟙"))
SCRIPT = dict(zip("BEFHILMR", "ℬℰℱℋℐℒℳℛ"))
