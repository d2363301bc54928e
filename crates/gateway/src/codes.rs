//! `codes!`: declares a vocabulary of stable kebab-case codes as a `Copy`
//! enum, in the style of the engine's diagnostic codes.
//!
//! Each variant has its string (printed in output, logs and metrics, and
//! listed in `docs/errors.md`), a doc line, and where relevant a severity.
//! An enum may also wrap one other vocabulary in a variant of its own (a
//! gateway problem can be a policy diagnostic); that variant's string and
//! severity are the wrapped code's.

macro_rules! codes {
    // With a severity per code.
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$doc:meta])* $variant:ident = $code:literal, $severity:ident; )*
        }
        $( $(#[$wrap_doc:meta])* $wrap:ident($inner:ty) => $inner_str:path, $inner_severity:path; )?
    ) => {
        codes! {
            $(#[$meta])*
            $vis enum $name {
                $( $(#[$doc])* $variant = $code; )*
            }
            $( $(#[$wrap_doc])* $wrap($inner) => $inner_str; )?
        }

        impl $name {
            /// Whether a problem with this code makes the config unusable.
            $vis const fn severity(self) -> crossgate_core::Severity {
                match self {
                    $( $name::$variant => crossgate_core::Severity::$severity, )*
                    $( $name::$wrap(inner) => $inner_severity(inner), )?
                }
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$doc:meta])* $variant:ident = $code:literal; )*
        }
        $( $(#[$wrap_doc:meta])* $wrap:ident($inner:ty) => $inner_str:path; )?
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$doc])* $variant, )*
            $( $(#[$wrap_doc])* $wrap($inner), )?
        }

        impl $name {
            /// Every code of this vocabulary's own, in declaration order
            /// (not the wrapped ones).
            #[allow(dead_code)]
            $vis const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable kebab-case string, e.g. for output, logs and metrics.
            $vis const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $code, )*
                    $( $name::$wrap(inner) => $inner_str(inner), )?
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use codes;
