/** A hello-world, for the start-up figures (docs/performance.md). */
public class Hello {
    public static void main(String[] a) {
        System.out.println("hello");
    }
}
