package io.tokenpipe.spring.boot;

import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ApplicationContext;

/**
 * The watchdog's gate where actuator is present: healthy while a health group is UP, as
 * {@code GET /actuator/health/<group>} would say. Loaded only where spring-boot-health is on the class path.
 */
final class SystemdHealthGroupGate implements SystemdWatchdog.Gate {

    private final HealthEndpoint endpoint;

    private final String group;

    SystemdHealthGroupGate(HealthEndpoint endpoint, String group) {
        this.endpoint = endpoint;
        this.group = group;
    }

    /**
     * The gate for {@code group} in {@code context}.
     * @param context the application context, refreshed
     * @param group the group name
     * @return the gate, or null when the context has no health endpoint or no such group
     */
    static @Nullable SystemdHealthGroupGate find(ApplicationContext context, String group) {
        HealthEndpoint endpoint = context.getBeanProvider(HealthEndpoint.class).getIfAvailable();
        HealthEndpointGroups groups = context.getBeanProvider(HealthEndpointGroups.class).getIfAvailable();
        if (endpoint == null || groups == null || groups.get(group) == null) {
            return null;
        }
        return new SystemdHealthGroupGate(endpoint, group);
    }

    /**
     * The health groups of {@code context}, for a message.
     * @param context the application context, refreshed
     * @return the names, sorted; empty without a health endpoint
     */
    static Set<String> groupNames(ApplicationContext context) {
        HealthEndpointGroups groups = context.getBeanProvider(HealthEndpointGroups.class).getIfAvailable();
        return (groups != null) ? new TreeSet<>(groups.getNames()) : Set.of();
    }

    @Override
    public @Nullable String unhealthy() {
        HealthDescriptor health = this.endpoint.healthForPath(this.group);
        if (health == null) {
            return "health group " + this.group + " is gone";
        }
        Status status = health.getStatus();
        return Status.UP.equals(status) ? null : "health group " + this.group + " is " + status.getCode();
    }

    @Override
    public String describe() {
        return "health group " + this.group;
    }

}
