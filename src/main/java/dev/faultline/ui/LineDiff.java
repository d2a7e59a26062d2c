package dev.faultline.ui;

import java.util.ArrayList;
import java.util.List;

/** A line-by-line diff of two texts (longest common subsequence), as a person reads it: kept, removed and added lines. */
final class LineDiff {

    enum Kind {
        KEPT, REMOVED, ADDED
    }

    record Line(Kind kind, String text) {
    }

    private LineDiff() {
    }

    static List<Line> of(String before, String after) {
        String[] a = before.isEmpty() ? new String[0] : before.split("\n", -1);
        String[] b = after.isEmpty() ? new String[0] : after.split("\n", -1);
        int[][] common = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                common[i][j] = a[i].equals(b[j]) ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        List<Line> lines = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            if (i < a.length && j < b.length && a[i].equals(b[j])) {
                lines.add(new Line(Kind.KEPT, a[i++]));
                j++;
            } else if (i < a.length && (j == b.length || common[i + 1][j] >= common[i][j + 1])) {
                lines.add(new Line(Kind.REMOVED, a[i++]));
            } else {
                lines.add(new Line(Kind.ADDED, b[j++]));
            }
        }
        return lines;
    }
}
