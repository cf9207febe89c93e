//! Policy lints (in progress).
