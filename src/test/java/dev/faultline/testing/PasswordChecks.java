package dev.faultline.testing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The bcrypt checks of presented passwords the server has made, as its metrics show them: what sign-in costs it. */
public final class PasswordChecks {

    private static final Pattern CHECKS = Pattern.compile("(?m)^faultline_password_checks_total(?:\\{[^}]*})? (\\S+)$");

    private PasswordChecks() {
    }

    /** faultline_password_checks_total from /q/metrics. */
    public static double count() {
        Matcher matcher = CHECKS.matcher(given().get("/q/metrics").then().statusCode(200).extract().asString());
        assertThat(matcher.find()).as("faultline_password_checks_total in /q/metrics").isTrue();
        return Double.parseDouble(matcher.group(1));
    }
}
