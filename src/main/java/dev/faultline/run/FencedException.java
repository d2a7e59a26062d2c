package dev.faultline.run;

/** A write of an owner whose epoch has passed: another instance took the run over, and this one must stop acting for it. */
final class FencedException extends RuntimeException {

    FencedException(Ownership ownership) {
        super("run " + ownership.runId() + " was taken over by another instance (epoch " + ownership.epoch() + " has passed)");
    }
}
