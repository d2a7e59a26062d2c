package dev.faultline.api;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A request under {@code /api} reaches the servlet container (where the browser UI lives) only when
 * no endpoint served it: it gets the API's 404 problem+json, never the UI's page.
 */
@WebFilter(urlPatterns = "/api/*")
public class ApiNotFoundFilter implements Filter {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        String path = ((HttpServletRequest) request).getRequestURI();
        HttpServletResponse answer = (HttpServletResponse) response;
        answer.setStatus(404);
        answer.setContentType(Problem.MEDIA_TYPE);
        JSON.writeValue(answer.getOutputStream(), new Problem("https://faultline.dev/problems/not-found", "Not Found", 404,
                "There is nothing at " + path + ".", path, List.of()));
    }
}
