//! Reads the shipped topic model in the compact form that `src/build.rs` (`compile_topics`)
//! precompiles from `dictionaries/tags.yaml` and `taxonomy.yaml`, so a run decodes a table that
//! borrows its keywords from the binary instead of parsing 1.1 MB of YAML. A test checks that the
//! model built from it equals the one the YAML loader builds.

use std::borrow::Cow;

use super::{ModelParts, ScorerClass};
use crate::vocab::compiled::Reader;

/// Must match `TOPIC_MAGIC` in `src/build.rs`.
const MAGIC: &[u8; 8] = b"FFTOPIC1";

static TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/shipped_topics.bin"));

/// The parts of the shipped model, or `None` when the build could not compile them (the YAML
/// loader then reports why).
pub(super) fn shipped_parts() -> Option<ModelParts<'static>> {
    let mut reader = Reader::new(TABLE.strip_prefix(MAGIC)?);
    let n = reader.u32()?;
    let keywords = (0..n)
        .map(|_| reader.str().map(Cow::Borrowed))
        .collect::<Option<Vec<_>>>()?;
    let n = reader.u32()?;
    let mut tags = Vec::with_capacity(n);
    let mut tag_aliases = Vec::with_capacity(n);
    for _ in 0..n {
        tags.push(reader.class(keywords.len())?);
        let aliases = reader.u32()?;
        tag_aliases.push((0..aliases).map(|_| reader.str()).collect::<Option<_>>()?);
    }
    let n = reader.u32()?;
    let mut categories = Vec::with_capacity(n);
    let mut category_areas = Vec::with_capacity(n);
    for _ in 0..n {
        categories.push(reader.class(keywords.len())?);
        category_areas.push(reader.weights()?);
    }
    let n = reader.u32()?;
    let areas = (0..n)
        .map(|_| reader.class(keywords.len()))
        .collect::<Option<_>>()?;
    reader.is_done().then_some(ModelParts {
        keywords,
        tags,
        tag_aliases,
        categories,
        category_areas,
        areas,
    })
}

impl Reader<'static> {
    fn weights(&mut self) -> Option<Vec<(&'static str, f32)>> {
        let n = self.u32()?;
        (0..n).map(|_| Some((self.str()?, self.f32()?))).collect()
    }

    fn class(&mut self, keywords: usize) -> Option<ScorerClass<'static>> {
        let name = self.str()?;
        let bias = self.f32()?;
        let channels = self.weights()?;
        let n = self.u32()?;
        let triggers = (0..n)
            .map(|_| {
                let id = self.u32().filter(|id| *id < keywords)?;
                Some((id as u32, self.f32()?))
            })
            .collect::<Option<_>>()?;
        Some(ScorerClass {
            name,
            bias,
            channels,
            triggers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse_tags, parse_taxonomy, TopicModel, SHIPPED_TAGS, SHIPPED_TAXONOMY};
    use super::*;
    use std::path::Path;

    #[test]
    fn precompiled_model_equals_the_yaml_one() {
        let parts = shipped_parts().expect("build.rs compiled the shipped topic model");
        let compiled = TopicModel::assemble(parts);
        let tags = parse_tags(Path::new("tags.yaml"), SHIPPED_TAGS).unwrap();
        let taxonomy = parse_taxonomy(Path::new("taxonomy.yaml"), SHIPPED_TAXONOMY).unwrap();
        let yaml = TopicModel::new(&tags, &taxonomy);
        assert!(
            compiled == yaml,
            "the precompiled topic model differs from the YAML"
        );
        assert_eq!(TopicModel::shipped().unwrap(), yaml);
    }
}
