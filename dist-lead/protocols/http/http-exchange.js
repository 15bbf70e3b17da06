export {};
//# sourceMappingURL=http-exchange.js.map