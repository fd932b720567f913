// Public library API of ringleader: named exports only.
export {};
