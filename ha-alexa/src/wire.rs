//! Building blocks shared by the wire types: open string enums and directive families.

/// Declares an open string enum: the listed wire values become variants and any other
/// value is kept, unchanged, in `Unknown(String)` so that it round-trips.
///
/// Generates `as_str`, `is_known`, `KNOWN`, `From<&str>`, `From<String>`, `Display`,
/// `FromStr` (infallible) and string `Serialize`/`Deserialize` impls.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $wire, "` on the wire.")] $variant, )+
            /// A value this version of the crate does not know, kept exactly as received.
            Unknown(String),
        }

        impl $name {
            /// Every value this version of the crate knows, in declaration order.
            pub const KNOWN: &'static [Self] = &[$(Self::$variant,)+];

            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Unknown(other) => other,
                }
            }

            /// Whether the value is one this version of the crate knows (not `Unknown`).
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $($wire => Self::$variant,)+
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = ::core::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str($crate::wire::WireStrVisitor::<Self>::new(stringify!($name)))
            }
        }
    };
}

pub(crate) use wire_enum;

/// Serde visitor turning a JSON string into a type built `From<&str>`/`From<String>`.
pub(crate) struct WireStrVisitor<T> {
    what: &'static str,
    marker: core::marker::PhantomData<T>,
}

impl<T> WireStrVisitor<T> {
    pub(crate) const fn new(what: &'static str) -> Self {
        Self {
            what,
            marker: core::marker::PhantomData,
        }
    }
}

impl<T: for<'a> From<&'a str> + From<String>> serde::de::Visitor<'_> for WireStrVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "a string ({})", self.what)
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }

    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<T, E> {
        Ok(T::from(value))
    }
}

/// Declares a family of named payloads of one Alexa interface, its directives or its
/// events: an enum with one variant per `header.name`, unit variants for payloads that
/// are `{}`.
///
/// Generates `NAMESPACE`, `name`, the crate-private `decode` (phase two of directive
/// decoding) and `Serialize`, which writes the payload object only.
macro_rules! directives {
    (
        $(#[$meta:meta])*
        pub enum $name:ident in $namespace:ident {
            $( $(#[$vmeta:meta])* $variant:ident $( ( $payload:ty ) )? = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $wire, "`.")] $variant $( ( $payload ) )?, )+
        }

        impl $name {
            /// The interface these messages belong to.
            pub const NAMESPACE: $crate::message::Namespace = $crate::message::Namespace::$namespace;

            /// The message name as written in `header.name`.
            pub fn name(&self) -> &'static str {
                match self {
                    $( $crate::wire::directive_pattern!(Self::$variant $(, $payload)?) => $wire, )+
                }
            }

            /// `name` as the `'static` text this family declares, `None` when it declares
            /// no such name (decoded headers keep known names without allocating).
            pub(crate) fn static_name(name: &str) -> Option<&'static str> {
                match name {
                    $( $wire => Some($wire), )+
                    _ => None,
                }
            }

            /// Phase two of decoding: the typed payload for `name`, or `None` when the
            /// interface has no directive of that name.
            pub(crate) fn decode(name: &str, payload: &str) -> Option<Result<Self, serde_json::Error>> {
                match name {
                    $( $wire => Some($crate::wire::directive_decode!(Self::$variant, payload $(, $payload)?)), )+
                    _ => None,
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( $crate::wire::directive_serialize_pattern!(Self::$variant, inner $(, $payload)?) =>
                        $crate::wire::directive_serialize!(serializer, inner $(, $payload)?), )+
                }
            }
        }
    };
}

pub(crate) use directives;

/// Declares the reportable properties of one interface registered with `properties`: an
/// enum with one variant per property name and the type of its value.
///
/// Generates `NAMESPACE`, `name`, the crate-private `decode` (phase two of property
/// decoding) and `Serialize`, which writes the value only.
macro_rules! properties {
    (
        $(#[$meta:meta])*
        pub enum $name:ident in $namespace:ident {
            $( $(#[$vmeta:meta])* $variant:ident($value:ty) = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $wire, "`.")] $variant($value), )+
        }

        impl $name {
            /// The interface these properties belong to.
            pub const NAMESPACE: $crate::message::Namespace = $crate::message::Namespace::$namespace;

            /// The property name.
            pub fn name(&self) -> &'static str {
                match self {
                    $( Self::$variant(_) => $wire, )+
                }
            }

            /// Phase two of decoding: the typed value for `name`, or `None` when the
            /// interface has no property of that name.
            pub(crate) fn decode(name: &str, value: &str) -> Option<Result<Self, serde_json::Error>> {
                match name {
                    $( $wire => Some(serde_json::from_str::<$value>(value).map(Self::$variant)), )+
                    _ => None,
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( Self::$variant(value) => ::serde::Serialize::serialize(value, serializer), )+
                }
            }
        }
    };
}

pub(crate) use properties;

/// Declares a container of one family (events or properties) over the registered
/// interfaces that declare it: an enum with one variant per interface, holding that
/// interface's `directives!` or `properties!` enum.
///
/// Generates `namespace`, `name`, the crate-private `decode` (phase two, `None` when no
/// interface declares the name) and `Serialize`.
macro_rules! interface_family {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $variant:ident($family:ty) = $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum $name {
            $( #[doc = concat!("`", $wire, "`.")] $variant($family), )*
        }

        impl $name {
            /// The namespace.
            pub fn namespace(&self) -> $crate::message::Namespace {
                match self {
                    $( Self::$variant(_) => <$family>::NAMESPACE, )*
                }
            }

            /// The name (`header.name` of an event, `name` of a property).
            pub fn name(&self) -> &'static str {
                match self {
                    $( Self::$variant(inner) => <$family>::name(inner), )*
                }
            }

            /// Phase two: the typed value for `namespace` and `name`, `None` when no
            /// interface declares it.
            pub(crate) fn decode(
                namespace: &$crate::message::Namespace,
                name: &str,
                text: &str,
            ) -> Option<Result<Self, serde_json::Error>> {
                match namespace {
                    $( $crate::message::Namespace::$variant => <$family>::decode(name, text)
                        .map(|result| result.map(Self::$variant)), )*
                    _ => None,
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( Self::$variant(inner) => <$family as ::serde::Serialize>::serialize(inner, serializer), )*
                }
            }
        }
    };
}

pub(crate) use interface_family;

/// Pattern matching a directive variant with or without payload.
macro_rules! directive_pattern {
    ($path:path) => {
        $path
    };
    ($path:path, $payload:ty) => {
        $path(_)
    };
}

pub(crate) use directive_pattern;

/// Pattern binding a directive variant's payload to `$inner` when it has one.
macro_rules! directive_serialize_pattern {
    ($path:path, $inner:ident) => {
        $path
    };
    ($path:path, $inner:ident, $payload:ty) => {
        $path($inner)
    };
}

pub(crate) use directive_serialize_pattern;

/// Serializes a directive payload, `{}` for unit directives.
macro_rules! directive_serialize {
    ($serializer:ident, $inner:ident) => {
        ::serde::Serialize::serialize(&$crate::wire::Empty {}, $serializer)
    };
    ($serializer:ident, $inner:ident, $payload:ty) => {
        ::serde::Serialize::serialize($inner, $serializer)
    };
}

pub(crate) use directive_serialize;

/// Decodes a directive payload, checking that unit directives carry an object or `null`
/// (Amazon's capability test plans write payload-less directives with `"payload": null`).
macro_rules! directive_decode {
    ($path:path, $raw:ident) => {
        serde_json::from_str::<Option<$crate::wire::Empty>>($raw).map(|_| $path)
    };
    ($path:path, $raw:ident, $payload:ty) => {
        serde_json::from_str::<$payload>($raw).map($path)
    };
}

pub(crate) use directive_decode;

/// The empty JSON object `{}`; decoding accepts any object and ignores its members.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Empty {}

/// Declares a secret string type: `Debug` prints `"***"`, the value is read with
/// `expose_secret`, and it (de)serializes as a plain, non-empty JSON string.
///
/// An optional `check = path;` names a further `fn(&str) -> Result<(), ValidationError>`
/// run on every new value.
macro_rules! secret_string {
    ($(#[$meta:meta])* pub struct $name:ident; field = $field:literal;) => {
        $crate::wire::secret_string! {
            $(#[$meta])* pub struct $name; field = $field; check = $crate::wire::accept_any;
        }
    };
    ($(#[$meta:meta])* pub struct $name:ident; field = $field:literal; check = $check:path;) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, ::serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps the secret.
            ///
            /// # Errors
            ///
            /// [`ValidationError::Empty`](crate::ValidationError::Empty) when it is empty;
            /// Alexa rejects empty secrets.
            pub fn try_new(secret: impl Into<String>) -> Result<Self, $crate::error::ValidationError> {
                let secret = secret.into();
                if secret.is_empty() {
                    return Err($crate::error::ValidationError::Empty { field: $field });
                }
                $check(&secret)?;
                Ok(Self(secret))
            }

            /// The secret itself; use it only where it is sent.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str("\"***\"")
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Self::try_new(<String as ::serde::Deserialize>::deserialize(deserializer)?)
                    .map_err(::serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use secret_string;

/// The `check` of a secret with no rule beyond being non-empty.
#[expect(clippy::unnecessary_wraps, reason = "the shape every secret check has")]
pub(crate) const fn accept_any(_: &str) -> Result<(), crate::error::ValidationError> {
    Ok(())
}
