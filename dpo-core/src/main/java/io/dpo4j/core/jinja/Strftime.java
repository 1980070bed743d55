package io.dpo4j.core.jinja;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/** Python's {@code strftime} directives in the C locale, for transformers' {@code strftime_now}. */
final class Strftime {

    private Strftime() {
    }

    static String format(String format, ZonedDateTime t) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                b.append(c);
                continue;
            }
            char d = format.charAt(++i);
            switch (d) {
                case 'Y' -> b.append(t.getYear());
                case 'y' -> b.append(String.format("%02d", t.getYear() % 100));
                case 'm' -> b.append(String.format("%02d", t.getMonthValue()));
                case 'd' -> b.append(String.format("%02d", t.getDayOfMonth()));
                case 'e' -> b.append(String.format("%2d", t.getDayOfMonth()));
                case 'B' -> b.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'b', 'h' -> b.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'H' -> b.append(String.format("%02d", t.getHour()));
                case 'I' -> b.append(String.format("%02d", (t.getHour() + 11) % 12 + 1));
                case 'M' -> b.append(String.format("%02d", t.getMinute()));
                case 'S' -> b.append(String.format("%02d", t.getSecond()));
                case 'p' -> b.append(t.getHour() < 12 ? "AM" : "PM");
                case 'j' -> b.append(String.format("%03d", t.getDayOfYear()));
                case 'Z' -> b.append(t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case '%' -> b.append('%');
                default -> b.append('%').append(d);
            }
        }
        return b.toString();
    }
}
