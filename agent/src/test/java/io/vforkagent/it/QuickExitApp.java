package io.vforkagent.it;

/**
 * A JVM that ends as soon as it starts: before the agent's start-up thread has finished. Prints
 * the agent's state, so that a test knows the agent did start (and had something to extract).
 */
public final class QuickExitApp {
    private QuickExitApp() {
    }

    public static void main(String[] args) {
        System.out.println("QUICK-EXIT status=" + System.getProperty("vfork-agent.status"));
    }
}
