public enum ArrayLiteral {}
