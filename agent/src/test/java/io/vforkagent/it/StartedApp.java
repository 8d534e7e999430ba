package io.vforkagent.it;

/**
 * Waits (up to 20 s) until the agent has finished its start (loaded its library, or given up),
 * spawning nothing, then prints its state: what the start did is then all in the class-load log.
 */
public final class StartedApp {
    private StartedApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String status = System.getProperty("vfork-agent.status");
        while ((status == null || status.startsWith("starting")) && System.nanoTime() < deadline) {
            Thread.sleep(5);
            status = System.getProperty("vfork-agent.status");
        }
        System.out.println("STARTED status=" + status);
    }
}
