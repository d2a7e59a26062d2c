package dev.faultline.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.apache.http.conn.params.ConnRoutePNames;

import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Requests that leave from another loopback address (127.0.0.2, 127.0.1.7, …), as from another
 * machine: Linux routes all of 127.0.0.0/8 to the loopback interface, so the application sees the
 * address as the caller's.
 */
public final class FromAddress {

    private FromAddress() {
    }

    /** A request from {@code address} (one of 127.0.0.0/8). */
    public static RequestSpecification from(String address) {
        InetAddress local;
        try {
            local = InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
        if (!local.isLoopbackAddress()) {
            throw new IllegalArgumentException(address + " is not a loopback address");
        }
        return RestAssured.given().baseUri("http://127.0.0.1")
                .config(RestAssured.config().httpClient(HttpClientConfig.httpClientConfig().setParam(ConnRoutePNames.LOCAL_ADDRESS, local)));
    }

    /** A request from {@code address} signed in with HTTP Basic. */
    public static RequestSpecification from(String address, String username, String password) {
        return from(address).auth().preemptive().basic(username, password);
    }

    /** The browser's sign-in form posted from {@code address}, as the sign-in page sends it; the answer is a redirect. */
    public static Response formSignIn(String address, String username, String password) {
        return from(address).redirects().follow(false).formParam("username", username).formParam("password", password)
                .post("/j_security_check").then().statusCode(302).extract().response();
    }
}
