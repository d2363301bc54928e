//! The `CORSConfiguration` document as written: the XML PutBucketCors takes
//! or the JSON `aws s3api get-bucket-cors` prints, read into the same rules.

use serde::Deserialize;

/// A rule as written (JSON field names; the XML reader fills the same).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub(super) struct RuleDoc {
    #[serde(rename = "ID")]
    pub(super) id: Option<String>,
    #[serde(default)]
    pub(super) allowed_origins: Vec<String>,
    #[serde(default)]
    pub(super) allowed_methods: Vec<String>,
    #[serde(default)]
    pub(super) allowed_headers: Vec<String>,
    #[serde(default)]
    pub(super) expose_headers: Vec<String>,
    pub(super) max_age_seconds: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ConfigDoc {
    #[serde(rename = "CORSRules", default)]
    cors_rules: Vec<RuleDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum JsonDoc {
    Wrapped {
        #[serde(rename = "CORSConfiguration")]
        cors_configuration: ConfigDoc,
    },
    Bare(ConfigDoc),
}

pub(super) fn parse_json(text: &str) -> Result<Vec<RuleDoc>, String> {
    let doc: JsonDoc = serde_json::from_str(text).map_err(|e| format!("not an S3 CORS JSON document: {e}"))?;
    Ok(match doc {
        JsonDoc::Wrapped { cors_configuration } => cors_configuration.cors_rules,
        JsonDoc::Bare(c) => c.cors_rules,
    })
}

pub(super) fn parse_xml(text: &str) -> Result<Vec<RuleDoc>, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("not well-formed XML: {e}"))?;
    let root = doc.root_element();
    if root.tag_name().name() != "CORSConfiguration" {
        return Err(format!("the root element is <{}>, not <CORSConfiguration>", root.tag_name().name()));
    }
    let mut rules = Vec::new();
    for rule in root.children().filter(roxmltree::Node::is_element) {
        if rule.tag_name().name() != "CORSRule" {
            return Err(format!("unexpected <{}> in <CORSConfiguration>", rule.tag_name().name()));
        }
        let mut d = RuleDoc::default();
        for el in rule.children().filter(roxmltree::Node::is_element) {
            let text = el.text().unwrap_or("").trim().to_owned();
            match el.tag_name().name() {
                "ID" => d.id = Some(text),
                "AllowedOrigin" => d.allowed_origins.push(text),
                "AllowedMethod" => d.allowed_methods.push(text),
                "AllowedHeader" => d.allowed_headers.push(text),
                "ExposeHeader" => d.expose_headers.push(text),
                "MaxAgeSeconds" => {
                    d.max_age_seconds =
                        Some(text.parse().map_err(|_| format!("MaxAgeSeconds `{text}` is not an integer"))?)
                }
                other => return Err(format!("unexpected <{other}> in <CORSRule>")),
            }
        }
        rules.push(d);
    }
    Ok(rules)
}
