//! The live topology of a Docker host: containers, what they publish,
//! mount and share, as components and flows of the model, and the threats
//! each risky trait of a container opens.
