//! How a lever's money or people spread over places of each deprivation decile.
