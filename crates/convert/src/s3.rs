//! S3 bucket CORS documents: placeholder.
