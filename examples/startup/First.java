/** Its first statement spawns, timed: the first-spawn figure (docs/performance.md). */
public class First {
    public static void main(String[] a) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("/bin/true").start();
        long t1 = System.nanoTime();
        p.waitFor();
        System.out.println("FIRST_US " + (t1 - t0) / 1000);
    }
}
