export {};
//# sourceMappingURL=connection-handler.js.map