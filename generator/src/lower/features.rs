//! One cargo feature per tag (`Options::features`), so that a user of a large spec compiles only
//! the operations they call and the models those reach, as the AWS SDK and octocrab split their
//! APIs.
//!
//! An operation is compiled with any of its tags' features; an untagged one always. A model is
//! compiled with any feature of the tagged operations that reach it (through parameters, bodies
//! and responses, and on through the models those hold), always when an untagged operation
//! reaches it, and with the feature `other-schemas` when no operation does (and so the models
//! it holds). So whatever a compiled item names is compiled too, for any set of features.
//!
//! An item that more than [`MAX_LISTED`] features reach is compiled with a feature that stands
//! for them (`_shared-N`, one per distinct list, turned on by each feature of the list): in a
//! spec whose types form a cycle every model is reached by every tag, and listing them all in
//! each item's `#[cfg]` made the code grow with models times tags (190 MB for 5,000 models
//! and 100 tags). Linear in the size of the API times the number of tags.

use std::collections::{BTreeMap, BTreeSet};

use super::cycles::{held_models, mentioned};
use crate::{ir, names};

/// The feature of the component schemas that no operation uses.
const OTHER_SCHEMAS: &str = "other-schemas";

/// The most features an item's `#[cfg(any(…))]` lists; beyond, a `_shared-N` feature stands
/// for them.
const MAX_LISTED: usize = 4;

/// Decides the features of `operations` and `models` (by `operation_tags`, in the order of
/// `operations`) and returns all of them, sorted; none for fewer than two tags.
pub(super) fn assign(
    models: &mut [ir::Model],
    operations: &mut [ir::Operation],
    operation_tags: &[Vec<String>],
    held_before: &BTreeMap<String, Vec<String>>,
) -> Vec<ir::Feature> {
    let tags: BTreeSet<&str> = operation_tags.iter().flatten().map(String::as_str).collect();
    if tags.len() < 2 {
        return Vec::new();
    }
    // Feature names, unique: `default` is cargo's own.
    let mut taken: BTreeSet<String> =
        BTreeSet::from(["default".to_owned(), OTHER_SCHEMAS.to_owned()]);
    let feature_of: BTreeMap<&str, String> = tags
        .iter()
        .map(|tag| {
            let base = names::feature_name(tag);
            let mut name = base.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}-{n}");
                n += 1;
            }
            (*tag, name)
        })
        .collect();

    let index: BTreeMap<&str, usize> =
        models.iter().enumerate().map(|(idx, it)| (it.rust_name.as_str(), idx)).collect();
    // What each model holds, and, for one that became an alias of a model of its shape
    // (`dedupe`), what it held before: a name stays in the features it was in.
    let mut edges = held_models(models, &index);
    for (model, edges) in models.iter().zip(&mut edges) {
        let before = held_before.get(model.rust_name.as_str()).into_iter().flatten();
        edges.extend(before.filter_map(|it| index.get(it.as_str()).copied()));
    }
    let roots = |op: &ir::Operation| -> Vec<usize> {
        let mut names = Vec::new();
        for ty in operation_types(op) {
            mentioned(ty, &mut names);
        }
        names.iter().filter_map(|it| index.get(it).copied()).collect()
    };

    // Every feature, in order, and its index in the sets below.
    let mut public: BTreeSet<&str> = feature_of.values().map(String::as_str).collect();
    public.insert(OTHER_SCHEMAS);
    let public: Vec<&str> = public.into_iter().collect();
    let bit: BTreeMap<&str, usize> =
        public.iter().enumerate().map(|(idx, it)| (*it, idx)).collect();

    // The features that reach each model (as sets of bits: a spec whose types form one cycle
    // has every tag reach every model), and the models that are always compiled.
    let mut reached = vec![FeatureSet::new(public.len()); models.len()];
    let mut always_roots = Vec::new();
    for (op, tags) in operations.iter().zip(operation_tags) {
        let start = roots(op);
        if tags.is_empty() {
            always_roots.extend(start);
            continue;
        }
        for tag in tags {
            let feature = bit[feature_of[tag.as_str()].as_str()];
            walk(&edges, start.clone(), |idx| reached[idx].insert(feature));
        }
    }
    let mut always = vec![false; models.len()];
    walk(&edges, always_roots, |idx| !std::mem::replace(&mut always[idx], true));
    // The models no operation uses (GitHub's webhook payloads are most of its schemas) have a
    // feature of their own, and so do the models they hold.
    let unused: Vec<usize> = (0..models.len()).filter(|it| reached[*it].is_empty()).collect();
    let has_other = !unused.is_empty();
    walk(&edges, unused, |idx| reached[idx].insert(bit[OTHER_SCHEMAS]));

    // Lists longer than `MAX_LISTED`, in the order of the models; `_shared-N` is the Nth.
    let mut shared: Vec<&FeatureSet> = Vec::new();
    let mut shared_index: BTreeMap<&FeatureSet, usize> = BTreeMap::new();
    for (idx, model) in models.iter_mut().enumerate() {
        if always[idx] {
            continue;
        }
        let features = &reached[idx];
        model.features = if features.len() > MAX_LISTED {
            let n = *shared_index.entry(features).or_insert_with(|| {
                shared.push(features);
                shared.len()
            });
            vec![shared_name(n)]
        } else {
            features.iter().map(|it| public[it].to_owned()).collect()
        };
    }
    for (op, tags) in operations.iter_mut().zip(operation_tags) {
        let features: BTreeSet<&str> =
            tags.iter().map(|it| feature_of[it.as_str()].as_str()).collect();
        op.features = features.into_iter().map(str::to_owned).collect();
    }

    let mut res: Vec<ir::Feature> = (public.iter().enumerate())
        .filter(|(_, name)| has_other || **name != OTHER_SCHEMAS)
        .map(|(feature, name)| ir::Feature {
            name: (*name).to_owned(),
            enables: (shared.iter().enumerate())
                .filter(|(_, list)| list.contains(feature))
                .map(|(idx, _)| shared_name(idx + 1))
                .collect(),
            public: true,
        })
        .collect();
    res.extend((1..=shared.len()).map(|n| ir::Feature {
        name: shared_name(n),
        enables: Vec::new(),
        public: false,
    }));
    res
}

/// A set of features, by their index in the sorted list: one bit each.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct FeatureSet(Vec<u64>);

impl FeatureSet {
    fn new(features: usize) -> FeatureSet {
        FeatureSet(vec![0; features.div_ceil(64)])
    }

    /// Adds `feature`; whether it was not there yet.
    fn insert(&mut self, feature: usize) -> bool {
        let (word, mask) = (feature / 64, 1u64 << (feature % 64));
        let new = self.0[word] & mask == 0;
        self.0[word] |= mask;
        new
    }

    fn contains(&self, feature: usize) -> bool {
        self.0[feature / 64] & (1u64 << (feature % 64)) != 0
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|it| *it == 0)
    }

    fn len(&self) -> usize {
        self.0.iter().map(|it| it.count_ones() as usize).sum()
    }

    /// The features, in order.
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.0.len() * 64).filter(|it| self.contains(*it))
    }
}

/// The feature that stands for the `n`th long list of features.
fn shared_name(n: usize) -> String {
    format!("_shared-{n}")
}

/// Visits the models reachable from `start` along `edges`; `visit` says whether a model is
/// new (and so whether to go on from it).
fn walk(edges: &[Vec<usize>], start: Vec<usize>, mut visit: impl FnMut(usize) -> bool) {
    let mut stack = start;
    while let Some(idx) = stack.pop() {
        if visit(idx) {
            stack.extend(edges[idx].iter().copied());
        }
    }
}

/// The types an operation's method and its own types name.
fn operation_types(op: &ir::Operation) -> Vec<&ir::TypeRef> {
    let mut res: Vec<&ir::TypeRef> = op.params.iter().map(|it| &it.ty).collect();
    res.extend(op.body.iter().flat_map(|it| it.media.iter().map(|it| &it.ty)));
    res.extend(op.successes.iter().filter_map(|it| it.ty.as_ref()));
    res.extend(op.errors.iter().map(|it| &it.ty));
    res.extend(op.events.iter().map(|it| &it.ty));
    res
}

#[cfg(test)]
mod tests {
    use crate::{Options, generate};

    /// Operation `a` (tag A) answers `X`, which holds `Y`; `b` (tag B) answers `Y`; untagged `c`
    /// answers `Z`, which holds `S`; no operation uses `W`, which holds `V` and `Y`.
    const SPEC: &str = r##"
openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /a:
    get:
      operationId: a
      tags: [A]
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/X'}}}}}
  /b:
    get:
      operationId: b
      tags: [B, "Also B!"]
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Y'}}}}}
  /c:
    get:
      operationId: c
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Z'}}}}}
components:
  schemas:
    X: {type: object, properties: {y: {type: array, items: {$ref: '#/components/schemas/Y'}}}}
    Y: {type: object, properties: {n: {type: integer}}}
    Z: {type: object, properties: {s: {$ref: '#/components/schemas/S'}}}
    S: {type: object, properties: {n: {type: integer}}}
    W: {type: object, properties: {v: {$ref: '#/components/schemas/V'}, y: {$ref: '#/components/schemas/Y'}}}
    V: {type: object, properties: {n: {type: integer}}}
"##;

    fn features_of(api: &crate::ir::Api, name: &str) -> Vec<String> {
        let model = api.models.iter().find(|it| it.rust_name == name);
        let op = api.operations.iter().find(|it| it.rust_name == name);
        model.map(|it| it.features.clone()).or(op.map(|it| it.features.clone())).unwrap()
    }

    #[test]
    fn items_get_the_features_of_the_tags_that_reach_them() {
        let options = Options { strict: true, features: true };
        let api = generate(SPEC, "spec", options).unwrap_or_else(|err| panic!("{err:?}")).api;
        let names: Vec<&str> = api.features.iter().map(|it| it.name.as_str()).collect();
        assert_eq!(names, ["a", "also-b", "b", "other-schemas"]);
        assert!(api.features.iter().all(|it| it.public && it.enables.is_empty()));
        assert_eq!(features_of(&api, "a"), ["a"]);
        assert_eq!(features_of(&api, "b"), ["also-b", "b"]);
        assert!(features_of(&api, "c").is_empty());
        assert_eq!(features_of(&api, "X"), ["a"]);
        assert_eq!(features_of(&api, "Y"), ["a", "also-b", "b", "other-schemas"]);
        for always in ["Z", "S"] {
            assert!(features_of(&api, always).is_empty(), "{always}");
        }
        // What no operation uses has a feature of its own.
        assert_eq!(features_of(&api, "W"), ["other-schemas"]);
        assert_eq!(features_of(&api, "V"), ["other-schemas"]);
    }

    /// 130 tags reach `Y` (four through `Z`): more than two words of bits. Tags 1 to 4 reach `Z`.
    #[test]
    fn a_long_list_is_one_shared_feature() {
        const TAGS: usize = 130;
        let mut spec = String::from("openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n");
        for n in 1..=TAGS {
            let answer = if n <= 4 { "Z" } else { "Y" };
            spec.push_str(&format!(
                "  /op{n}:\n    get:\n      operationId: op{n}\n      tags: [t{n}]\n      responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/{answer}'}}}}}}}}}}\n"
            ));
        }
        spec.push_str(concat!(
            "components:\n  schemas:\n",
            "    Z: {type: object, properties: {y: {$ref: '#/components/schemas/Y'}}}\n",
            "    Y: {type: object, properties: {n: {type: integer}}}\n",
        ));
        let options = Options { strict: true, features: true };
        let api = generate(&spec, "spec", options).unwrap_or_else(|err| panic!("{err:?}")).api;
        assert_eq!(features_of(&api, "Y"), ["_shared-1"]);
        assert_eq!(features_of(&api, "Z"), ["t1", "t2", "t3", "t4"]);
        assert_eq!(features_of(&api, "op6"), ["t6"]);
        let shared = api.features.iter().find(|it| it.name == "_shared-1").unwrap();
        assert!(!shared.public && shared.enables.is_empty());
        assert_eq!(features_of(&api, "op130"), ["t130"]);
        for n in 1..=TAGS {
            let tag = api.features.iter().find(|it| it.name == format!("t{n}")).unwrap();
            assert!(tag.public);
            assert_eq!(tag.enables, ["_shared-1"], "t{n}");
        }
        assert_eq!(api.features.len(), TAGS + 1);
    }

    #[test]
    fn none_without_the_option_or_with_one_tag() {
        let api = generate(SPEC, "spec", Options::default()).unwrap().api;
        assert!(api.features.is_empty());
        assert!(api.models.iter().all(|it| it.features.is_empty()));
        assert!(api.operations.iter().all(|it| it.features.is_empty()));
        let one_tag = SPEC.replace("[B, \"Also B!\"]", "[A]");
        let api = generate(&one_tag, "spec", Options { strict: true, features: true }).unwrap().api;
        assert!(api.features.is_empty());
        assert!(api.models.iter().all(|it| it.features.is_empty()));
    }
}
