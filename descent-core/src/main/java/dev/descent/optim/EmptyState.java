package dev.descent.optim;

/** The state of a stateless transformation (scaling, clipping by value, weight decay). */
public enum EmptyState {
    /** The only value. */
    INSTANCE
}
