//! apimachinery's string predicates (`k8s.io/apimachinery/pkg/util/validation`). They live
//! in the model ([`portkey_model::apimachinery`]), whose own name checks decide with them,
//! so that the model and this stage can never disagree on what the API server accepts.

pub use portkey_model::apimachinery::*;
