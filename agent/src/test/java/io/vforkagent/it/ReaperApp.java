package io.vforkagent.it;

import java.util.concurrent.TimeUnit;

/** See {@link BlockingAppender}: a child's waitFor must return while the exit line cannot be written. */
public final class ReaperApp {
    private ReaperApp() {
    }

    public static void main(String[] args) throws Exception {
        Process p = new ProcessBuilder("/bin/true").start();
        boolean done = p.waitFor(20, TimeUnit.SECONDS);
        System.out.println("WAITFOR-RETURNED " + done + " exit=" + (done ? p.exitValue() : -1) + " pid=" + p.pid());
        BlockingAppender.RELEASE.countDown();
        System.out.println("EXIT-LINE-APPENDED " + BlockingAppender.EXIT_APPENDED.await(30, TimeUnit.SECONDS));
        System.out.println("MAIN-DONE");
    }
}
