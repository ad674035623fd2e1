package io.tokenpipe.faults;

/** One line per fault-suite case ("FIGURE | what | how much | lost"), collected into the README's table. */
final class Figures {
    private Figures() {
    }

    static void report(String what, String howMuch, String lost) {
        System.out.println("FIGURE | " + what + " | " + howMuch + " | " + lost);
    }
}
