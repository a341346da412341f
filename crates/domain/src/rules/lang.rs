//! The rule language: small expressions over a family's facts, documented in
//! `docs/rules.md`. Parsed by hand (a tokenizer and a precedence climber: the language is tiny
//! and errors must point at a column), type-checked against the fact namespace, and compiled to
//! a tree of [`Node`]s over `f64` slots.
//!
//! Unknown facts follow three-valued (Kleene) logic: `NaN` is "unknown"; `false and unknown` is
//! false, `true or unknown` is true, anything else touching an unknown is unknown. So a family
//! missing a fact that cannot change the answer still gets an answer.

use super::facts::{MEMBER_WIDTH, Ty, family_slot, family_slots, member_slot, member_slots};

/// A compile error at a byte offset of the expression text.
#[derive(Debug, Clone, PartialEq)]
pub struct LangError {
    pub offset: usize,
    /// Catalogue key `rule-err-*`.
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

fn err<T>(offset: usize, key: &'static str, args: &[(&'static str, &str)]) -> Result<T, LangError> {
    Err(LangError {
        offset,
        key,
        args: args.iter().map(|(k, v)| (*k, v.to_string())).collect(),
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Op(&'static str),
    End,
}

fn tokenize(src: &str) -> Result<Vec<(Tok, usize)>, LangError> {
    let b = src.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_' || b[i] == b'.') {
                i += 1;
            }
            let text: String = src[start..i].chars().filter(|c| *c != '_').collect();
            match text.parse::<f64>() {
                Ok(n) => out.push((Tok::Num(n), start)),
                Err(_) => return err(start, "rule-err-number", &[("text", &src[start..i])]),
            }
        } else if c == b'"' || c == b'\'' {
            let start = i;
            i += 1;
            while i < b.len() && b[i] != c {
                i += 1;
            }
            if i >= b.len() {
                return err(start, "rule-err-unclosed", &[]);
            }
            out.push((Tok::Str(src[start + 1..i].to_string()), start));
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((Tok::Ident(src[start..i].to_string()), start));
        } else {
            const OPS: &[&str] = &[
                "==", "!=", "<=", ">=", "<", ">", "=", "+", "-", "*", "/", "(", ")", "[", "]", ",",
            ];
            match OPS.iter().find(|op| src[i..].starts_with(**op)) {
                Some(op) => {
                    out.push((Tok::Op(op), i));
                    i += op.len();
                }
                None => {
                    let ch = src[i..].chars().next().unwrap_or('?');
                    return err(i, "rule-err-char", &[("char", &ch.to_string())]);
                }
            }
        }
    }
    out.push((Tok::End, src.len()));
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Min,
    Max,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    Count,
    Any,
    All,
    Sum,
}

/// A compiled expression node.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Const(f64),
    Fam(usize),
    Mem(usize),
    Known(Box<Node>),
    Not(Box<Node>),
    Neg(Box<Node>),
    Bin(BinOp, Box<Node>, Box<Node>),
    In(Box<Node>, Box<[f64]>),
    If(Box<Node>, Box<Node>, Box<Node>),
    Agg(Agg, Box<Node>),
    // Fused forms made by `optimize` (the hot shapes of real rules, one dispatch instead of three).
    /// `a and b and ...`, flattened.
    AllOf(Box<[Node]>),
    /// `a or b or ...`, flattened.
    AnyOf(Box<[Node]>),
    /// `known(fact)`.
    KnownSlot {
        member: bool,
        slot: usize,
    },
    /// `fact <op> constant` as a range test: `lo <= fact <= hi`, negated for `!=`.
    /// Branch-free at evaluation: the comparison operator is gone.
    CmpSlot {
        member: bool,
        slot: usize,
        lo: f64,
        hi: f64,
        negate: bool,
    },
    /// `fact in [...]`.
    InSlot {
        member: bool,
        slot: usize,
        set: Box<[f64]>,
    },
}

fn flip(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        other => other,
    }
}

fn is_cmp(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    )
}

fn range(member: bool, slot: usize, op: BinOp, c: f64) -> Node {
    let (lo, hi, negate) = match op {
        BinOp::Eq => (c, c, false),
        BinOp::Ne => (c, c, true),
        BinOp::Lt => (f64::NEG_INFINITY, c.next_down(), false),
        BinOp::Le => (f64::NEG_INFINITY, c, false),
        BinOp::Gt => (c.next_up(), f64::INFINITY, false),
        _ => (c, f64::INFINITY, false),
    };
    Node::CmpSlot {
        member,
        slot,
        lo,
        hi,
        negate,
    }
}

/// A yes/no fact used as a condition becomes the test `fact = 1` (same values, inlined).
fn as_test(n: Node) -> Node {
    match slot_of(&n) {
        Some((member, slot)) => range(member, slot, BinOp::Eq, 1.0),
        None => n,
    }
}

fn slot_of(n: &Node) -> Option<(bool, usize)> {
    match n {
        Node::Fam(i) => Some((false, *i)),
        Node::Mem(i) => Some((true, *i)),
        _ => None,
    }
}

impl Node {
    /// Folds constants and fuses the common shapes; evaluation gives the same results.
    pub fn optimize(self) -> Node {
        match self {
            Node::Known(n) => match slot_of(&n) {
                Some((member, slot)) => Node::KnownSlot { member, slot },
                None => Node::Known(n.optimize().into()),
            },
            Node::Not(n) => Node::Not(n.optimize().into()),
            Node::Neg(n) => match n.optimize() {
                Node::Const(c) => Node::Const(-c),
                other => Node::Neg(other.into()),
            },
            Node::If(c, t, e) => Node::If(
                c.optimize().into(),
                t.optimize().into(),
                e.optimize().into(),
            ),
            Node::Agg(a, n) => Node::Agg(a, n.optimize().into()),
            Node::In(n, set) => match slot_of(&n) {
                Some((member, slot)) => Node::InSlot { member, slot, set },
                None => Node::In(n.optimize().into(), set),
            },
            Node::Bin(op, a, b) => {
                let (a, b) = (a.optimize(), b.optimize());
                match (op, &a, &b) {
                    (BinOp::And, _, _) => {
                        let mut parts = Vec::new();
                        for x in [a, b] {
                            match x {
                                Node::AllOf(inner) => parts.extend(inner.into_vec()),
                                other => parts.push(as_test(other)),
                            }
                        }
                        Node::AllOf(parts.into())
                    }
                    (BinOp::Or, _, _) => {
                        let mut parts = Vec::new();
                        for x in [a, b] {
                            match x {
                                Node::AnyOf(inner) => parts.extend(inner.into_vec()),
                                other => parts.push(as_test(other)),
                            }
                        }
                        Node::AnyOf(parts.into())
                    }
                    (_, Node::Const(_), Node::Const(_)) => Node::Const(
                        Node::Bin(op, a.into(), b.into()).eval(&[], &[], 0, &mut NoRecord),
                    ),
                    (op, x, Node::Const(c)) if is_cmp(op) && slot_of(x).is_some() => {
                        let (member, slot) = slot_of(x).expect("checked");
                        range(member, slot, op, *c)
                    }
                    (op, Node::Const(c), x) if is_cmp(op) && slot_of(x).is_some() => {
                        let (member, slot) = slot_of(x).expect("checked");
                        range(member, slot, flip(op), *c)
                    }
                    _ => Node::Bin(op, a.into(), b.into()),
                }
            }
            other => other,
        }
    }
}

/// Which record an expression is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Family,
    /// One member (family facts are readable too).
    Member,
}

/// A fact an expression reads: `(is_member, slot)`.
pub type FactRef = (bool, usize);

struct Parser<'a> {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    scope: Scope,
    /// Inside `count(...)` and friends: member facts readable.
    in_agg: bool,
    refs: &'a mut Vec<FactRef>,
}

/// A typed node; string literals stay strings until a comparison decides their code.
enum Typed {
    Node(Node, Ty),
    Str(String, usize),
    List(Vec<(String, usize)>, usize),
}

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "if", "then", "else", "true", "false",
];

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }
    fn at(&self) -> usize {
        self.toks[self.pos].1
    }
    fn next(&mut self) -> (Tok, usize) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s == kw)
    }
    fn expect_op(&mut self, op: &'static str) -> Result<(), LangError> {
        if self.is_op(op) {
            self.next();
            Ok(())
        } else {
            let found = self.describe();
            err(
                self.at(),
                "rule-err-expected",
                &[("expected", op), ("found", &found)],
            )
        }
    }
    fn expect_kw(&mut self, kw: &'static str) -> Result<(), LangError> {
        if self.is_kw(kw) {
            self.next();
            Ok(())
        } else {
            let found = self.describe();
            err(
                self.at(),
                "rule-err-expected",
                &[("expected", kw), ("found", &found)],
            )
        }
    }
    fn describe(&self) -> String {
        match self.peek() {
            Tok::Num(n) => n.to_string(),
            Tok::Str(s) => format!("\"{s}\""),
            Tok::Ident(s) => s.clone(),
            Tok::Op(o) => o.to_string(),
            Tok::End => "(end)".to_string(),
        }
    }

    fn node(&self, t: Typed, want: Option<Ty>) -> Result<(Node, Ty), LangError> {
        match t {
            Typed::Node(n, ty) => {
                if ty == Ty::Presence {
                    // Only known() takes text/date facts; it handles them before this point.
                    return err(self.at(), "rule-err-presence", &[]);
                }
                if let Some(w) = want
                    && !same_kind(w, ty)
                {
                    return err(
                        self.at(),
                        "rule-err-type",
                        &[("expected", w.name()), ("found", ty.name())],
                    );
                }
                Ok((n, ty))
            }
            Typed::Str(s, at) => err(at, "rule-err-string", &[("text", &s)]),
            Typed::List(_, at) => err(at, "rule-err-list", &[]),
        }
    }

    fn expr(&mut self) -> Result<Typed, LangError> {
        self.or()
    }
    fn or(&mut self) -> Result<Typed, LangError> {
        let mut left = self.and()?;
        while self.is_kw("or") {
            self.next();
            let (a, _) = self.node(left, Some(Ty::Bool))?;
            let right = self.and()?;
            let (b, _) = self.node(right, Some(Ty::Bool))?;
            left = Typed::Node(Node::Bin(BinOp::Or, a.into(), b.into()), Ty::Bool);
        }
        Ok(left)
    }
    fn and(&mut self) -> Result<Typed, LangError> {
        let mut left = self.not()?;
        while self.is_kw("and") {
            self.next();
            let (a, _) = self.node(left, Some(Ty::Bool))?;
            let right = self.not()?;
            let (b, _) = self.node(right, Some(Ty::Bool))?;
            left = Typed::Node(Node::Bin(BinOp::And, a.into(), b.into()), Ty::Bool);
        }
        Ok(left)
    }
    fn not(&mut self) -> Result<Typed, LangError> {
        if self.is_kw("not") {
            self.next();
            let inner = self.not()?;
            let (n, _) = self.node(inner, Some(Ty::Bool))?;
            return Ok(Typed::Node(Node::Not(n.into()), Ty::Bool));
        }
        self.comparison()
    }
    fn comparison(&mut self) -> Result<Typed, LangError> {
        let left_at = self.at();
        let left = self.additive()?;
        let op = match self.peek() {
            Tok::Op("=") | Tok::Op("==") => BinOp::Eq,
            Tok::Op("!=") => BinOp::Ne,
            Tok::Op("<") => BinOp::Lt,
            Tok::Op("<=") => BinOp::Le,
            Tok::Op(">") => BinOp::Gt,
            Tok::Op(">=") => BinOp::Ge,
            Tok::Ident(s) if s == "in" => {
                self.next();
                let right = self.additive()?;
                return self.membership(left, right, left_at);
            }
            _ => return Ok(left),
        };
        self.next();
        let right_at = self.at();
        let right = self.additive()?;
        let (a, b, ty) = match (left, right) {
            (Typed::Node(n, Ty::Code(codes)), Typed::Str(s, at))
            | (Typed::Str(s, at), Typed::Node(n, Ty::Code(codes))) => {
                (n, Node::Const(code_of(codes, &s, at)?), Ty::Code(codes))
            }
            (l, r) => {
                let (a, ta) = self.node(l, None)?;
                let (b, tb) = self.node(r, None).map_err(|mut e| {
                    e.offset = right_at;
                    e
                })?;
                if !same_kind(ta, tb)
                    || (matches!(ta, Ty::Code(x) if !matches!(tb, Ty::Code(y) if std::ptr::eq(x, y))))
                {
                    return err(
                        right_at,
                        "rule-err-type",
                        &[("expected", ta.name()), ("found", tb.name())],
                    );
                }
                (a, b, ta)
            }
        };
        if matches!(op, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge) && ty != Ty::Num {
            return err(
                left_at,
                "rule-err-type",
                &[("expected", Ty::Num.name()), ("found", ty.name())],
            );
        }
        Ok(Typed::Node(Node::Bin(op, a.into(), b.into()), Ty::Bool))
    }
    fn membership(&mut self, left: Typed, right: Typed, at: usize) -> Result<Typed, LangError> {
        let (n, ty) = self.node(left, None)?;
        let Typed::List(items, list_at) = right else {
            return err(at, "rule-err-in-list", &[]);
        };
        let values = items
            .iter()
            .map(|(s, at)| match ty {
                Ty::Code(codes) => code_of(codes, s, *at),
                Ty::Num => s
                    .parse::<f64>()
                    .or_else(|_| err(*at, "rule-err-number", &[("text", s)])),
                _ => err(list_at, "rule-err-in-list", &[]),
            })
            .collect::<Result<Vec<f64>, _>>()?;
        Ok(Typed::Node(Node::In(n.into(), values.into()), Ty::Bool))
    }
    fn additive(&mut self) -> Result<Typed, LangError> {
        let mut left = self.multiplicative()?;
        loop {
            let op = if self.is_op("+") {
                BinOp::Add
            } else if self.is_op("-") {
                BinOp::Sub
            } else {
                return Ok(left);
            };
            self.next();
            let (a, _) = self.node(left, Some(Ty::Num))?;
            let right = self.multiplicative()?;
            let (b, _) = self.node(right, Some(Ty::Num))?;
            left = Typed::Node(Node::Bin(op, a.into(), b.into()), Ty::Num);
        }
    }
    fn multiplicative(&mut self) -> Result<Typed, LangError> {
        let mut left = self.unary()?;
        loop {
            let op = if self.is_op("*") {
                BinOp::Mul
            } else if self.is_op("/") {
                BinOp::Div
            } else {
                return Ok(left);
            };
            self.next();
            let (a, _) = self.node(left, Some(Ty::Num))?;
            let right = self.unary()?;
            let (b, _) = self.node(right, Some(Ty::Num))?;
            left = Typed::Node(Node::Bin(op, a.into(), b.into()), Ty::Num);
        }
    }
    fn unary(&mut self) -> Result<Typed, LangError> {
        if self.is_op("-") {
            self.next();
            let inner = self.unary()?;
            let (n, _) = self.node(inner, Some(Ty::Num))?;
            return Ok(Typed::Node(Node::Neg(n.into()), Ty::Num));
        }
        self.primary()
    }
    fn primary(&mut self) -> Result<Typed, LangError> {
        let (tok, at) = self.next();
        match tok {
            Tok::Num(n) => Ok(Typed::Node(Node::Const(n), Ty::Num)),
            Tok::Str(s) => Ok(Typed::Str(s, at)),
            Tok::Op("(") => {
                let inner = self.expr()?;
                self.expect_op(")")?;
                Ok(inner)
            }
            Tok::Op("[") => {
                let mut items = Vec::new();
                while !self.is_op("]") {
                    let (t, item_at) = self.next();
                    match t {
                        Tok::Str(s) => items.push((s, item_at)),
                        Tok::Num(n) => items.push((n.to_string(), item_at)),
                        _ => return err(item_at, "rule-err-list-item", &[]),
                    }
                    if !self.is_op("]") {
                        self.expect_op(",")?;
                    }
                }
                self.next();
                Ok(Typed::List(items, at))
            }
            Tok::Ident(name) => self.identifier(name, at),
            Tok::Op(o) => err(at, "rule-err-unexpected", &[("found", o)]),
            Tok::End => err(at, "rule-err-end", &[]),
        }
    }
    fn identifier(&mut self, name: String, at: usize) -> Result<Typed, LangError> {
        match name.as_str() {
            "true" => return Ok(Typed::Node(Node::Const(1.0), Ty::Bool)),
            "false" => return Ok(Typed::Node(Node::Const(0.0), Ty::Bool)),
            "if" => {
                let c = self.expr()?;
                let (c, _) = self.node(c, Some(Ty::Bool))?;
                self.expect_kw("then")?;
                let t_at = self.at();
                let t = self.expr()?;
                let (t, tt) = self.node(t, None)?;
                self.expect_kw("else")?;
                let e = self.expr()?;
                let (e, te) = self.node(e, None)?;
                if !same_kind(tt, te) {
                    return err(
                        t_at,
                        "rule-err-type",
                        &[("expected", tt.name()), ("found", te.name())],
                    );
                }
                return Ok(Typed::Node(Node::If(c.into(), t.into(), e.into()), tt));
            }
            _ => {}
        }
        if KEYWORDS.contains(&name.as_str()) {
            return err(at, "rule-err-unexpected", &[("found", &name)]);
        }
        if self.is_op("(") {
            return self.call(&name, at);
        }
        let member_visible = self.scope == Scope::Member || self.in_agg;
        if member_visible && let Some(slot) = member_slot(&name) {
            self.refs.push((true, slot));
            return Ok(Typed::Node(Node::Mem(slot), member_slots()[slot].ty));
        }
        if let Some(slot) = family_slot(&name) {
            self.refs.push((false, slot));
            return Ok(Typed::Node(Node::Fam(slot), family_slots()[slot].ty));
        }
        if member_slot(&name).is_some() {
            return err(at, "rule-err-member-fact", &[("name", &name)]);
        }
        err(at, "rule-err-unknown-fact", &[("name", &name)])
    }
    fn call(&mut self, name: &str, at: usize) -> Result<Typed, LangError> {
        self.expect_op("(")?;
        let result = match name {
            "known" => {
                let arg_at = self.at();
                match self.expr()? {
                    Typed::Node(n, _) => Typed::Node(Node::Known(n.into()), Ty::Bool),
                    _ => return err(arg_at, "rule-err-known", &[]),
                }
            }
            "count" | "any" | "all" | "sum" => {
                if self.scope == Scope::Member || self.in_agg {
                    return err(at, "rule-err-nested", &[("name", name)]);
                }
                self.in_agg = true;
                let inner = self.expr()?;
                self.in_agg = false;
                let (agg, want, out) = match name {
                    "count" => (Agg::Count, Ty::Bool, Ty::Num),
                    "any" => (Agg::Any, Ty::Bool, Ty::Bool),
                    "all" => (Agg::All, Ty::Bool, Ty::Bool),
                    _ => (Agg::Sum, Ty::Num, Ty::Num),
                };
                let (n, _) = self.node(inner, Some(want))?;
                Typed::Node(Node::Agg(agg, n.into()), out)
            }
            "min" | "max" => {
                let a = self.expr()?;
                let (a, _) = self.node(a, Some(Ty::Num))?;
                self.expect_op(",")?;
                let b = self.expr()?;
                let (b, _) = self.node(b, Some(Ty::Num))?;
                let op = if name == "min" {
                    BinOp::Min
                } else {
                    BinOp::Max
                };
                Typed::Node(Node::Bin(op, a.into(), b.into()), Ty::Num)
            }
            _ => return err(at, "rule-err-function", &[("name", name)]),
        };
        self.expect_op(")")?;
        Ok(result)
    }
}

fn same_kind(a: Ty, b: Ty) -> bool {
    matches!(
        (a, b),
        (Ty::Num, Ty::Num) | (Ty::Bool, Ty::Bool) | (Ty::Code(_), Ty::Code(_))
    )
}

fn code_of(codes: &[&str], s: &str, at: usize) -> Result<f64, LangError> {
    match codes.iter().position(|c| *c == s) {
        Some(i) => Ok(i as f64),
        None => err(
            at,
            "rule-err-code",
            &[("code", s), ("expected", &codes.join(", "))],
        ),
    }
}

/// A compiled expression with its source text and the facts it reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub text: String,
    pub node: Node,
    pub ty: Ty,
    pub refs: Vec<FactRef>,
}

/// Parses and type-checks `src` in `scope`, expecting a value of type `want`.
pub fn compile(src: &str, scope: Scope, want: Ty) -> Result<Expr, LangError> {
    let toks = tokenize(src)?;
    let mut refs = Vec::new();
    let mut p = Parser {
        toks,
        pos: 0,
        scope,
        in_agg: false,
        refs: &mut refs,
    };
    let t = p.expr()?;
    if p.peek() != &Tok::End {
        let found = p.describe();
        return err(p.at(), "rule-err-trailing", &[("found", &found)]);
    }
    let (node, ty) = p.node(t, Some(want)).map_err(|mut e| {
        e.offset = e.offset.min(src.len());
        e
    })?;
    refs.sort_unstable();
    refs.dedup();
    Ok(Expr {
        text: src.trim().to_string(),
        node: node.optimize(),
        ty,
        refs,
    })
}

/// Where unknown facts read during an evaluation are collected (or not, on the fast path).
pub trait Recorder {
    fn unknown(&mut self, fact: FactRef);
}
/// The fast path: records nothing.
pub struct NoRecord;
impl Recorder for NoRecord {
    #[inline(always)]
    fn unknown(&mut self, _: FactRef) {}
}
impl Recorder for Vec<FactRef> {
    fn unknown(&mut self, fact: FactRef) {
        if !self.contains(&fact) {
            self.push(fact);
        }
    }
}

#[inline(always)]
fn tri_and(a: f64, b: f64) -> f64 {
    if a == 0.0 || b == 0.0 {
        0.0
    } else if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        1.0
    }
}
#[inline(always)]
fn tri_or(a: f64, b: f64) -> f64 {
    if a == 1.0 || b == 1.0 {
        1.0
    } else if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        0.0
    }
}
#[inline(always)]
fn truth(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

impl Node {
    /// A leaf test evaluated in the caller's loop, without a recursive call.
    #[inline(always)]
    fn eval_part<R: Recorder>(&self, fam: &[f64], mem: &[f64], m: usize, rec: &mut R) -> f64 {
        match self {
            Node::CmpSlot {
                member,
                slot,
                lo,
                hi,
                negate,
            } => {
                let v = if *member {
                    mem[m * MEMBER_WIDTH + *slot]
                } else {
                    fam[*slot]
                };
                if v.is_nan() {
                    rec.unknown((*member, *slot));
                    return f64::NAN;
                }
                truth((*lo <= v && v <= *hi) != *negate)
            }
            Node::KnownSlot { member, slot } => {
                let v = if *member {
                    mem[m * MEMBER_WIDTH + *slot]
                } else {
                    fam[*slot]
                };
                truth(!v.is_nan())
            }
            Node::Const(c) => *c,
            other => other.eval(fam, mem, m, rec),
        }
    }

    /// `eval` with leaves and one level of `and`/`or` inlined into the caller.
    #[inline(always)]
    pub fn eval_leaf<R: Recorder>(&self, fam: &[f64], mem: &[f64], m: usize, rec: &mut R) -> f64 {
        match self {
            Node::AllOf(parts) => {
                let mut acc = 1.0;
                for p in parts.iter() {
                    let x = p.eval_part(fam, mem, m, rec);
                    if x == 0.0 {
                        return 0.0;
                    }
                    if x.is_nan() {
                        acc = f64::NAN;
                    }
                }
                acc
            }
            Node::AnyOf(parts) => {
                let mut acc = 0.0;
                for p in parts.iter() {
                    let x = p.eval_part(fam, mem, m, rec);
                    if x == 1.0 {
                        return 1.0;
                    }
                    if x.is_nan() {
                        acc = f64::NAN;
                    }
                }
                acc
            }
            other => other.eval_part(fam, mem, m, rec),
        }
    }

    /// Evaluates on a family's slots and its members' slots; `m` is the member in scope
    /// (ignored where the expression reads no member fact).
    pub fn eval<R: Recorder>(&self, fam: &[f64], mem: &[f64], m: usize, rec: &mut R) -> f64 {
        match self {
            Node::Const(c) => *c,
            Node::Fam(i) => {
                let v = fam[*i];
                if v.is_nan() {
                    rec.unknown((false, *i));
                }
                v
            }
            Node::Mem(i) => {
                let v = mem[m * MEMBER_WIDTH + *i];
                if v.is_nan() {
                    rec.unknown((true, *i));
                }
                v
            }
            Node::Known(n) => truth(!n.eval(fam, mem, m, &mut NoRecord).is_nan()),
            Node::Not(n) => {
                let v = n.eval(fam, mem, m, rec);
                if v.is_nan() { v } else { 1.0 - v }
            }
            Node::Neg(n) => -n.eval(fam, mem, m, rec),
            Node::Bin(op, a, b) => {
                let x = a.eval(fam, mem, m, rec);
                match op {
                    BinOp::And if x == 0.0 => return 0.0,
                    BinOp::Or if x == 1.0 => return 1.0,
                    _ => {}
                }
                let y = b.eval(fam, mem, m, rec);
                if x.is_nan() || y.is_nan() {
                    return match op {
                        BinOp::And => tri_and(x, y),
                        BinOp::Or => tri_or(x, y),
                        _ => f64::NAN,
                    };
                }
                match op {
                    BinOp::Add => x + y,
                    BinOp::Sub => x - y,
                    BinOp::Mul => x * y,
                    BinOp::Div => {
                        if y == 0.0 {
                            f64::NAN
                        } else {
                            x / y
                        }
                    }
                    BinOp::Eq => truth(x == y),
                    BinOp::Ne => truth(x != y),
                    BinOp::Lt => truth(x < y),
                    BinOp::Le => truth(x <= y),
                    BinOp::Gt => truth(x > y),
                    BinOp::Ge => truth(x >= y),
                    BinOp::And => tri_and(x, y),
                    BinOp::Or => tri_or(x, y),
                    BinOp::Min => x.min(y),
                    BinOp::Max => x.max(y),
                }
            }
            Node::In(n, set) => {
                let v = n.eval(fam, mem, m, rec);
                if v.is_nan() {
                    v
                } else {
                    truth(set.contains(&v))
                }
            }
            // The fused forms are evaluated where the fast paths live.
            Node::AllOf(_) | Node::AnyOf(_) => self.eval_leaf(fam, mem, m, rec),
            Node::CmpSlot { .. } | Node::KnownSlot { .. } => self.eval_part(fam, mem, m, rec),
            Node::InSlot { member, slot, set } => {
                let v = if *member {
                    mem[m * MEMBER_WIDTH + *slot]
                } else {
                    fam[*slot]
                };
                if v.is_nan() {
                    rec.unknown((*member, *slot));
                    return f64::NAN;
                }
                truth(set.contains(&v))
            }
            Node::If(c, t, e) => {
                let cv = c.eval(fam, mem, m, rec);
                if cv.is_nan() {
                    f64::NAN
                } else if cv == 1.0 {
                    t.eval(fam, mem, m, rec)
                } else {
                    e.eval(fam, mem, m, rec)
                }
            }
            Node::Agg(agg, n) => {
                let count = mem.len() / MEMBER_WIDTH;
                let mut acc = match agg {
                    Agg::All => 1.0,
                    _ => 0.0,
                };
                for k in 0..count {
                    let v = n.eval_leaf(fam, mem, k, rec);
                    acc = match agg {
                        Agg::Count | Agg::Sum if v.is_nan() => f64::NAN,
                        Agg::Count => acc + v,
                        Agg::Sum => acc + v,
                        Agg::Any => tri_or(acc, v),
                        Agg::All => tri_and(acc, v),
                    };
                }
                acc
            }
        }
    }
}
