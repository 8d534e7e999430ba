package io.vforkagent.it;

/** A JVM that ends as soon as it starts: before the agent's start-up thread has finished. */
public final class QuickExitApp {
    private QuickExitApp() {
    }

    public static void main(String[] args) {
        System.out.println("QUICK-EXIT");
    }
}
