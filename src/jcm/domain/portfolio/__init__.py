"""The funded portfolio: MOEJ's JCM financing programme's projects and the partner countries
(pure rules: row validation, the seed state, technology → sector, stable ids)."""
