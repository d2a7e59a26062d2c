# Faultline: build with the Maven wrapper, run on a JRE as an unprivileged user.
#   docker build -t faultline .
#   docker run -p 8080:8080 -v faultline-data:/var/lib/faultline faultline
# With no database configured, Faultline starts its embedded PostgreSQL under /var/lib/faultline;
# set QUARKUS_DATASOURCE_JDBC_URL (+ _USERNAME, _PASSWORD) to use an external server.

FROM eclipse-temurin:21-jdk AS build
WORKDIR /build
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline
# The frontend builds from the committed lock (npm ci, vaadin.ci.build), not from what npm resolves today.
COPY package.json package-lock.json tsconfig.json types.d.ts vite.config.ts ./
COPY migrations migrations
COPY src/main src/main
RUN ./mvnw -B -q package -DskipTests

FROM eclipse-temurin:21-jre
RUN groupadd --system --gid 10001 faultline \
 && useradd --system --uid 10001 --gid faultline --home-dir /var/lib/faultline --create-home faultline
WORKDIR /opt/faultline
COPY --from=build --chown=root:root /build/target/quarkus-app/ ./
USER 10001:10001
ENV FAULTLINE_DATA_DIR=/var/lib/faultline
VOLUME /var/lib/faultline
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/faultline/quarkus-run.jar"]
