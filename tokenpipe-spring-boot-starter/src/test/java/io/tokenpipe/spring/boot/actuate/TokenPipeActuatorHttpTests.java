package io.tokenpipe.spring.boot.actuate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.QuietOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole starter in a real web application, read over HTTP as an operator would: the {@code tokenPipe}
 * health component, the {@code tokenpipes} endpoint and the meters.
 */
@ExtendWith(QuietOutput.class) // first, so that it also holds back what the Spring extension logs
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoint.health.show-details=always",
                "management.endpoints.web.exposure.include=health,tokenpipes,metrics" })
@Timeout(60)
class TokenPipeActuatorHttpTests {

    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static final JsonMapper json = JsonMapper.builder().build();

    @LocalServerPort
    private int port;

    @Autowired
    private TokenPipeFactory factory;

    @Test
    void healthComponentIsUpWithDetails() throws Exception {
        get("/actuator/health"); // the HTTP connection and the server's socket stay open from here on
        int before = FdCount.openFdCount();
        TokenPipe pipe = this.factory.create("worker");
        TokenPipeEnd reader = pipe.takeReadEnd();
        HttpResponse<String> response = get("/actuator/health/tokenPipe");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode health = json.readTree(response.body());
        assertThat(health.get("status").asString()).isEqualTo("UP");
        JsonNode details = health.get("details");
        assertThat(details.get("openPipes").asInt()).isEqualTo(1);
        assertThat(details.get("openEnds").asInt()).isEqualTo(2);
        assertThat(details.get("maxOpenPipes").asInt()).isEqualTo(1024);
        assertThat(details.get("limitReached").asBoolean()).isFalse();
        assertThat(details.get("openFds").asLong()).isPositive();
        assertThat(details.get("openFdLimit").asLong()).isPositive();
        assertThat(details.get("available").asBoolean()).isTrue();
        assertThat(details.get("platform").asString()).startsWith("Linux");
        reader.close();
        pipe.close();
        FdCount.assertBackTo(before, "closing the pipe");
        System.out.println("GET /actuator/health/tokenPipe -> " + response.body());
    }

    @Test
    void overallHealthIncludesTheComponent() throws Exception {
        JsonNode health = json.readTree(get("/actuator/health").body());
        assertThat(health.get("components").get("tokenPipe").get("status").asString()).isEqualTo("UP");
    }

    @Test
    void tokenpipesEndpointListsOpenPipes() throws Exception {
        get("/actuator/health");
        int before = FdCount.openFdCount();
        TokenPipe pipe = this.factory.create("background-worker");
        pipe.takeWriteEnd().close();
        HttpResponse<String> response = get("/actuator/tokenpipes");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode pipes = json.readTree(response.body()).get("pipes");
        assertThat(pipes.size()).isEqualTo(1);
        assertThat(pipes.get(0).get("name").asString()).isEqualTo("background-worker");
        assertThat(pipes.get(0).get("age").asString()).startsWith("PT");
        assertThat(pipes.get(0).get("openEnds").get(0).asString()).isEqualTo("read");
        pipe.close();
        assertThat(json.readTree(get("/actuator/tokenpipes").body()).get("pipes").size()).isZero();
        FdCount.assertBackTo(before, "closing the pipe");
        System.out.println("GET /actuator/tokenpipes -> " + response.body());
    }

    @Test
    void metersArePublished() throws Exception {
        TokenPipe pipe = this.factory.create("metered");
        JsonNode open = json.readTree(get("/actuator/metrics/tokenpipe.pipes.open").body());
        assertThat(open.get("measurements").get(0).get("value").asDouble()).isEqualTo(1.0);
        pipe.close();
        JsonNode created = json.readTree(get("/actuator/metrics/tokenpipe.pipes.created").body());
        assertThat(created.get("measurements").get(0).get("value").asDouble()).isGreaterThanOrEqualTo(1.0);
        JsonNode max = json.readTree(get("/actuator/metrics/tokenpipe.pipes.max").body());
        assertThat(max.get("measurements").get(0).get("value").asDouble()).isEqualTo(1024.0);
        for (String name : new String[] { "tokenpipe.ends.open", "tokenpipe.pipes.failed", "tokenpipe.pipes.rejected" }) {
            assertThat(get("/actuator/metrics/" + name).statusCode()).as(name).isEqualTo(200);
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Application {

    }

}
