export declare function nextConnectionId(): string;
