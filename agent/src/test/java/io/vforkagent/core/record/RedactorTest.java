package io.vforkagent.core.record;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The redaction table: each row is a command as the application ran it (program first) and the
 * command as a record shows it. Arguments are separated by a space; «...» groups one argument
 * with spaces in it; \n stands for a newline. Positives first, then negatives: what must stay
 * readable (hosts, paths, ports, program names, ordinary flags and key=value pairs).
 */
class RedactorTest {
    private static final String TABLE = """
        # curl
        curl -u bob:hunter2 https://h/x => curl -u bob:*** https://h/x
        curl --user=bob:hunter2 https://h => curl --user=bob:*** https://h
        curl --user bob:hun:ter2 https://h => curl --user bob:*** https://h
        curl -ubob:hunter2 https://h => curl -ubob:*** https://h
        curl -su bob:hunter2 https://h => curl -su bob:*** https://h
        curl -U proxy:hunter2 https://h => curl -U proxy:*** https://h
        curl --proxy-user proxy:hunter2 https://h => curl --proxy-user proxy:*** https://h
        curl -H «Authorization: Bearer abc.def» https://h => curl -H «Authorization: ***» https://h
        curl «--header=Authorization: Basic dXNlcjpwYXNz» https://h => curl «--header=Authorization: ***» https://h
        curl -H «X-Api-Key: 12345» https://h => curl -H «X-Api-Key: ***» https://h
        curl -H «PRIVATE-TOKEN: abc» https://h => curl -H «PRIVATE-TOKEN: ***» https://h
        curl -H «Cookie: session=abc» https://h => curl -H «Cookie: ***» https://h
        curl -H «Proxy-Authorization: Basic abc» https://h => curl -H «Proxy-Authorization: ***» https://h
        curl -H «X-Vault-Token: s.abc» https://h => curl -H «X-Vault-Token: ***» https://h
        curl -b session=abc123 https://h => curl -b *** https://h
        curl --cookie «a=1; b=2» https://h => curl --cookie *** https://h
        curl --oauth2-bearer tok123 https://h => curl --oauth2-bearer *** https://h
        curl -d password=hunter2&user=bob https://h => curl -d password=*** https://h
        curl -d user=bob&password=hunter2&x=1 https://h => curl -d user=bob&password=***&x=1 https://h
        curl --data-raw {"password":"hunter2","user":"bob"} https://h => curl --data-raw {"password":"***","user":"bob"} https://h
        curl https://bob:hunter2@example.com/x => curl https://bob:***@example.com/x
        curl https://ghp_abc@github.com/o/r => curl https://***@github.com/o/r
        curl https://bob:p@ss@w0rd@example.com/ => curl https://bob:***@example.com/
        curl https://bob:pa/ss@example.com/x => curl https://bob:***@example.com/x
        curl https://h/cb?code=1&access_token=abc123 => curl https://h/cb?code=1&access_token=***
        curl https://h/x?password=hunter2 => curl https://h/x?password=***
        curl https://h/x?user=bob&password=hunter2&v=1 => curl https://h/x?user=bob&password=***&v=1
        curl https://h/x?X-Amz-Signature=abc&X-Amz-Date=1 => curl https://h/x?X-Amz-Signature=***&X-Amz-Date=1
        curl https://acct.blob.core.windows.net/c?sv=2020&sig=abc%3D => curl https://acct.blob.core.windows.net/c?sv=2020&sig=***
        curl -E cert.pem:hunter2 https://h => curl -E cert.pem:*** https://h
        curl --cert client.pem:hunter2 https://h => curl --cert client.pem:*** https://h
        # wget
        wget --password=hunter2 https://h => wget --password=*** https://h
        wget --http-password hunter2 https://h => wget --http-password *** https://h
        wget --user=bob --password=hunter2 https://h => wget --user=bob --password=*** https://h
        wget --ftp-password=hunter2 ftp://h => wget --ftp-password=*** ftp://h
        wget --proxy-password=hunter2 https://h => wget --proxy-password=*** https://h
        wget «--header=Authorization: token abc» https://h => wget «--header=Authorization: ***» https://h
        wget --post-data=user=bob&password=hunter2 https://h => wget --post-data=user=bob&password=*** https://h
        # git
        git clone https://user:tok@host/repo.git => git clone https://user:***@host/repo.git
        git clone https://x-access-token:abc123@github.com/o/r.git => git clone https://x-access-token:***@github.com/o/r.git
        git remote add origin https://TOKEN123@github.com/o/r => git remote add origin https://***@github.com/o/r
        git -c «http.extraHeader=Authorization: Basic dXNlcg==» fetch => git -c «http.extraHeader=Authorization: ***» fetch
        git config --global user.password hunter2 => git config --global user.password ***
        git push https://oauth2:abc@gitlab.com/g/p.git => git push https://oauth2:***@gitlab.com/g/p.git
        # mysql and MariaDB
        mysql -u root -phunter2 db => mysql -u root -p*** db
        mysql -uroot -phunter2 => mysql -uroot -p***
        mysql --password=hunter2 db => mysql --password=*** db
        mysql -p hunter2 => mysql -p ***
        mysql -ptoken => mysql -p***
        mysqldump -psecret db => mysqldump -p*** db
        mariadb -h db -P 3306 -u app -ps3cret => mariadb -h db -P 3306 -u app -p***
        /usr/bin/mysql -ppassword => /usr/bin/mysql -p***
        mysql «--password=hunter 2» => mysql --password=***
        # PostgreSQL
        psql postgresql://app:hunter2@db:5432/prod => psql postgresql://app:***@db:5432/prod
        psql «host=db port=5432 user=app password=hunter2 dbname=prod» => psql «host=db port=5432 user=app password=*** dbname=prod»
        psql «host=db password='hunter 2'» => psql «host=db password='***'»
        pg_dump -d postgres://app:hunter2@db/prod -f out.sql => pg_dump -d postgres://app:***@db/prod -f out.sql
        env PGPASSWORD=hunter2 psql -h db -p 5432 => env PGPASSWORD=*** psql -h db -p 5432
        # JDBC, Java system properties, Spring Boot
        java -jar app.jar --spring.datasource.url=jdbc:postgresql://db/prod?user=app&password=hunter2 => java -jar app.jar --spring.datasource.url=jdbc:postgresql://db/prod?user=app&password=***
        java -Dspring.datasource.password=hunter2 -jar app.jar => java -Dspring.datasource.password=*** -jar app.jar
        java -Djavax.net.ssl.keyStorePassword=changeit -jar a.jar => java -Djavax.net.ssl.keyStorePassword=*** -jar a.jar
        java -Djavax.net.ssl.trustStorePassword=changeit -jar a.jar => java -Djavax.net.ssl.trustStorePassword=*** -jar a.jar
        java -Dapi.token=abc -jar a.jar => java -Dapi.token=*** -jar a.jar
        java -jar app.jar --spring.datasource.password=hunter2 => java -jar app.jar --spring.datasource.password=***
        java -jar app.jar jdbc:mysql://app:hunter2@db:3306/prod => java -jar app.jar jdbc:mysql://app:***@db:3306/prod
        java -jar app.jar jdbc:sqlserver://db:1433;user=app;password=hunter2;encrypt=true => java -jar app.jar jdbc:sqlserver://db:1433;user=app;password=***;encrypt=true
        java -jar app.jar jdbc:oracle:thin:scott/tiger@db:1521:orcl => java -jar app.jar jdbc:oracle:thin:scott/***@db:1521:orcl
        java -jar app.jar --db-password hunter2 => java -jar app.jar --db-password ***
        java -jar app.jar --spring.security.oauth2.client.registration.gh.client-secret=abc => java -jar app.jar --spring.security.oauth2.client.registration.gh.client-secret=***
        java -jar app.jar --server.ssl.key-store-password=abc => java -jar app.jar --server.ssl.key-store-password=***
        # docker, podman
        docker login -u bob -p hunter2 registry.io => docker login -u bob -p *** registry.io
        docker login --password hunter2 registry.io => docker login --password *** registry.io
        docker run -e DB_PASSWORD=hunter2 -p 8080:80 nginx => docker run -e DB_PASSWORD=*** -p 8080:80 nginx
        docker run --env=API_KEY=abc123 nginx => docker run --env=API_KEY=*** nginx
        docker build --build-arg NPM_TOKEN=abc123 . => docker build --build-arg NPM_TOKEN=*** .
        docker exec db mysql -uroot -phunter2 => docker exec db mysql -uroot -p***
        podman login -p hunter2 quay.io => podman login -p *** quay.io
        # kubectl
        kubectl --token=abc123 get pods => kubectl --token=*** get pods
        kubectl create secret generic s --from-literal=password=hunter2 --from-literal=user=bob => kubectl create secret generic s --from-literal=password=*** --from-literal=user=***
        kubectl config set-credentials admin --password=hunter2 => kubectl config set-credentials admin --password=***
        kubectl exec pod -- mysql -phunter2 => kubectl exec pod -- mysql -p***
        kubectl exec -it pod -- sh -c «PGPASSWORD=hunter2 psql -h db» => kubectl exec -it pod -- sh -c «PGPASSWORD=*** psql -h db»
        kubectl patch secret s -p {"data":{"token":"abc"}} => kubectl patch secret s -p {"data":{"token":"***"}}
        # aws, gcloud, az
        aws configure set aws_secret_access_key wJalrXUtnFEMI => aws configure set aws_secret_access_key ***
        aws configure set aws_session_token abc => aws configure set aws_session_token ***
        aws secretsmanager create-secret --name db --secret-string {"password":"hunter2"} => aws secretsmanager create-secret --name db --secret-string ***
        aws rds create-db-instance --master-user-password hunter2 => aws rds create-db-instance --master-user-password ***
        gcloud sql users set-password root --instance=db --password=hunter2 => gcloud sql users set-password root --instance=db --password=***
        az login -u bob -p hunter2 => az login -u bob -p ***
        az login --service-principal -u app -p s3cret --tenant t => az login --service-principal -u app -p *** --tenant t
        az storage blob upload --account-key abc== -f x => az storage blob upload --account-key *** -f x
        az storage blob list --sas-token sv=2020&sig=abc => az storage blob list --sas-token ***
        az storage container list --connection-string DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=abc==;EndpointSuffix=core.windows.net => az storage container list --connection-string DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=***;EndpointSuffix=core.windows.net
        az keyvault secret set --vault-name v --name n --value hunter2 => az keyvault secret set --vault-name v --name n --value ***
        # ssh, sshpass
        sshpass -p hunter2 ssh -p 2222 bob@host => sshpass -p *** ssh -p 2222 bob@host
        sshpass -phunter2 ssh host => sshpass -p*** ssh host
        ssh bob@host «mysql -u root -phunter2» => ssh bob@host «mysql -u root -p***»
        ssh host «PGPASSWORD=hunter2 psql» => ssh host «PGPASSWORD=*** psql»
        # openssl, keytool
        openssl pkcs12 -export -passout pass:hunter2 -out a.p12 => openssl pkcs12 -export -passout *** -out a.p12
        openssl enc -aes-256-cbc -k hunter2 -in f => openssl enc -aes-256-cbc -k *** -in f
        openssl rsa -passin pass:hunter2 -in k.pem => openssl rsa -passin *** -in k.pem
        openssl req -new -passout pass:x -keyout k.pem => openssl req -new -passout *** -keyout k.pem
        keytool -importkeystore -srcstorepass a1 -deststorepass b2 => keytool -importkeystore -srcstorepass *** -deststorepass ***
        keytool -storepasswd -new n3w -storepass 0ld -keystore k.jks => keytool -storepasswd -new *** -storepass *** -keystore k.jks
        keytool -genkeypair -keypass abc -storepass def => keytool -genkeypair -keypass *** -storepass ***
        # other clients
        redis-cli -a hunter2 ping => redis-cli -a *** ping
        redis-cli -h r -p 6379 AUTH hunter2 => redis-cli -h r -p 6379 AUTH ***
        redis-cli config set requirepass hunter2 => redis-cli config set requirepass ***
        redis-cli -u redis://:hunter2@r:6379 => redis-cli -u redis://:***@r:6379
        mongosh mongodb+srv://app:hunter2@cluster0.x.net/db => mongosh mongodb+srv://app:***@cluster0.x.net/db
        mongo -u admin -p hunter2 --authenticationDatabase admin => mongo -u admin -p *** --authenticationDatabase admin
        zip -P hunter2 out.zip f => zip -P *** out.zip f
        unzip -P hunter2 a.zip => unzip -P *** a.zip
        7z a -phunter2 a.7z f => 7z a -p*** a.7z f
        ldapsearch -x -D cn=admin -w hunter2 -b dc=x => ldapsearch -x -D cn=admin -w *** -b dc=x
        smbclient //srv/share -U bob%hunter2 => smbclient //srv/share -U bob%***
        sqlcmd -S db -U sa -P hunter2 => sqlcmd -S db -U sa -P ***
        sqlplus scott/tiger@orcl @run.sql => sqlplus scott/***@orcl @run.sql
        expdp system/manager@db schemas=hr => expdp system/***@db schemas=hr
        http -a bob:hunter2 https://h => http -a bob:*** https://h
        http --auth bob:hunter2 https://h => http --auth *** https://h
        gh secret set NAME --body hunter2 => gh secret set NAME --body ***
        # shell command strings, redacted by the same rules
        sh -c «mysql -u root -phunter2 db» => sh -c «mysql -u root -p*** db»
        bash -c «PGPASSWORD=hunter2 psql -h db» => bash -c «PGPASSWORD=*** psql -h db»
        sh -c «sshpass -p hunter2 ssh host» => sh -c «sshpass -p *** ssh host»
        sh -c «curl -H 'Authorization: Bearer abc' https://h» => sh -c «curl -H 'Authorization: ***' https://h»
        bash -lc «export API_TOKEN=abc && ./run» => bash -lc «export API_TOKEN=*** && ./run»
        sh -c «mysql -p'hunter 2' db» => sh -c «mysql -p'***' db»
        sh -c «bash -c "mysql -phunter2"» => sh -c «bash -c "mysql -p***"»
        su -c «mysql -phunter2» bob => su -c «mysql -p***» bob
        cmd /c «set PASSWORD=hunter2 && app.exe» => cmd /c «set PASSWORD=*** && app.exe»
        sh -c «docker login -u bob -p hunter2 reg» => sh -c «docker login -u bob -p *** reg»
        sh -c «curl -u bob:hunter2 https://h; ls» => sh -c «curl -u bob:*** https://h; ls»
        sh -c «git clone https://bob:hunter2@h/r.git» => sh -c «git clone https://bob:***@h/r.git»
        sh -c «ls; mysql -phunter2 | tee out» => sh -c «ls; mysql -p*** | tee out»
        sh -c «echo {\\"password\\":\\"hunter2\\"}» => sh -c «echo {\\"password\\":\\"***\\"}»
        # JSON, YAML, XML
        app {"password":"hunter2","user":"bob"} => app {"password":"***","user":"bob"}
        app «{"auth": {"token": "abc"}}» => app «{"auth": ***}»
        app «password: hunter2» => app «password: ***»
        app «db:\\n  password: hunter2\\n  host: db» => app «db:\\n  password: ***\\n  host: db»
        app <password>hunter2</password> => app <password>***</password>
        app «{"client_secret": "abc", "client_id": "x"}» => app «{"client_secret": "***", "client_id": "x"}»
        app {"apiKey":12345} => app {"apiKey":***}
        app «{"credentials": ["a", "b"]}» => app «{"credentials": ***}»
        # secret flag names, with prefixes and suffixes
        app --db-password hunter2 => app --db-password ***
        app --bearer-token abc => app --bearer-token ***
        app --secret-access-key abc => app --secret-access-key ***
        app --private-key=abc => app --private-key=***
        app --client-secret abc => app --client-secret ***
        app --passphrase abc => app --passphrase ***
        app --api-key abc => app --api-key ***
        app --apikey=abc => app --apikey=***
        app --token abc => app --token ***
        app --auth bob:x => app --auth ***
        app --password= hunter2 => app --password= ***
        app --password hunter2 --user bob => app --password *** --user bob
        app «--password hunter2» => app «--password ***»
        app -password hunter2 => app -password ***
        app -client-secret abc => app -client-secret ***
        app -phunter2 db => app -p*** db
        app -p hunter2 db => app -p *** db
        app -p 123456 => app -p ***
        app --user=bob:hunter2 => app --user=bob:***
        app -u bob:hunter2 => app -u bob:***
        app DB_PASSWORD=hunter2 => app DB_PASSWORD=***
        app GITHUB_TOKEN=ghp_x => app GITHUB_TOKEN=***
        app aws_secret_access_key=AKIA => app aws_secret_access_key=***
        app MYSQL_ROOT_PASSWORD=x => app MYSQL_ROOT_PASSWORD=***
        app SECRET_KEY_BASE=abc => app SECRET_KEY_BASE=***
        app --set db.password=hunter2 => app --set db.password=***
        app --keystore-password=x => app --keystore-password=***
        app --vault-token abc => app --vault-token ***
        app --webhook-secret abc => app --webhook-secret ***
        app --session-token abc => app --session-token ***
        app --encryption-key abc => app --encryption-key ***
        app --otp 123456 => app --otp ***
        app --new-password x => app --new-password ***
        app --master-password=x => app --master-password=***
        app --personal-access-token abc => app --personal-access-token ***
        app --pwd x => app --pwd ***
        app --pass x => app --pass ***
        app --storage-account-key abc => app --storage-account-key ***
        # tokens known by their form
        gh auth login --with-token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 => gh auth login --with-token ghp_***
        app xoxb-1234567890-abcdefghij => app xoxb-***
        app eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-abc_123 => app eyJ***
        app sk-proj-abcdefghijklmnopqrstuvwx => app sk-***
        app AIzaSyA1234567890abcdefghijklmnopqrstuv => app AIza***
        app glpat-abcdefghijklmnopqrst => app glpat-***
        app «Bearer abcdefghijkl» => app «Bearer ***»
        app «-----BEGIN PRIVATE KEY-----\\nMIIabc\\n-----END PRIVATE KEY-----» => app «-----BEGIN PRIVATE KEY-----***-----END PRIVATE KEY-----»
        app --note=ya29.abcdefghijklmnopqrstuvwxyz => app --note=ya29.***
        # negatives: all stays readable
        ls -la /tmp => ls -la /tmp
        mkdir -p /tmp/a/b => mkdir -p /tmp/a/b
        mkdir -p build => mkdir -p build
        cp -p a b => cp -p a b
        ps -p 1234 -o pid,cmd => ps -p 1234 -o pid,cmd
        ssh -p 2222 bob@host => ssh -p 2222 bob@host
        scp -P 2222 f bob@host:/tmp/ => scp -P 2222 f bob@host:/tmp/
        psql -h db -p 5432 -U app prod => psql -h db -p 5432 -U app prod
        docker run -p 8080:80 nginx => docker run -p 8080:80 nginx
        docker compose -p myproj up -d => docker compose -p myproj up -d
        java -p mods -m app/app.Main => java -p mods -m app/app.Main
        java -Xmx64m -Dfile.encoding=UTF-8 -jar app.jar => java -Xmx64m -Dfile.encoding=UTF-8 -jar app.jar
        gcc -pthread -pedantic -O2 -o a a.c => gcc -pthread -pedantic -O2 -o a a.c
        find . -perm 644 -print => find . -perm 644 -print
        tar -xpf a.tar => tar -xpf a.tar
        patch -p1 -i fix.diff => patch -p1 -i fix.diff
        app -p 8080 => app -p 8080
        app -p 127.0.0.1:8080:80/tcp => app -p 127.0.0.1:8080:80/tcp
        app -p8080 => app -p8080
        app -p /var/run/app.pid => app -p /var/run/app.pid
        app -print -pthread -passive => app -print -pthread -passive
        git commit -m «fix password reset form» => git commit -m «fix password reset form»
        git log --author=bob --since=2024-01-01 => git log --author=bob --since=2024-01-01
        grep -r password src/ => grep -r password src/
        app --password-file /run/secrets/db => app --password-file /run/secrets/db
        app --token-file /var/run/token => app --token-file /var/run/token
        docker login -u bob --password-stdin reg.io => docker login -u bob --password-stdin reg.io
        app --no-password -v => app --no-password -v
        app --max-tokens 100 => app --max-tokens 100
        app --auth-type basic => app --auth-type basic
        app --secret-id prod/db => app --secret-id prod/db
        app --client-id abc => app --client-id abc
        app --key /etc/tls/key.pem => app --key /etc/tls/key.pem
        app --private-key-file /k.pem => app --private-key-file /k.pem
        app --sort-key name => app --sort-key name
        app --keystore /etc/ks.jks => app --keystore /etc/ks.jks
        ssh -o PasswordAuthentication=no host => ssh -o PasswordAuthentication=no host
        ssh -o StrictHostKeyChecking=no host => ssh -o StrictHostKeyChecking=no host
        curl -sS -H «Accept: application/json» https://example.com/api?page=2&limit=10 => curl -sS -H «Accept: application/json» https://example.com/api?page=2&limit=10
        curl -H «Content-Type: text/plain» -d hello https://h => curl -H «Content-Type: text/plain» -d hello https://h
        curl -H «X-Request-Id: 42» https://h => curl -H «X-Request-Id: 42» https://h
        curl http://localhost:8080/health => curl http://localhost:8080/health
        curl https://[::1]:8443/x => curl https://[::1]:8443/x
        curl -u bob https://h => curl -u bob https://h
        git clone git@github.com:org/repo.git => git clone git@github.com:org/repo.git
        git clone ssh://git@github.com/org/repo.git => git clone ssh://git@github.com/org/repo.git
        aws s3 cp s3://bucket/key ./file => aws s3 cp s3://bucket/key ./file
        kubectl get pods -n kube-system -o wide => kubectl get pods -n kube-system -o wide
        app mode=fast name=joe => app mode=fast name=joe
        env PATH=/usr/bin PWD=/home/bob app => env PATH=/usr/bin PWD=/home/bob app
        app user@host => app user@host
        app {"user":"bob","mode":"x"} => app {"user":"bob","mode":"x"}
        app «image: nginx:1.25» => app «image: nginx:1.25»
        app --tokenizer gpt2 => app --tokenizer gpt2
        app --compass north => app --compass north
        app --passes 3 => app --passes 3
        app «Basic usage of the tool» => app «Basic usage of the tool»
        sudo -u postgres psql => sudo -u postgres psql
        docker run -u 1000:1000 img => docker run -u 1000:1000 img
        app -u 1000:1000 => app -u 1000:1000
        openssl s_client -connect host:443 -servername host => openssl s_client -connect host:443 -servername host
        keytool -list -keystore k.jks => keytool -list -keystore k.jks
        az vm list --output table => az vm list --output table
        gcloud auth activate-service-account --key-file=/k.json => gcloud auth activate-service-account --key-file=/k.json
        app https://example.com/path?q=1&sort=asc => app https://example.com/path?q=1&sort=asc
        mvn -pl core -am install => mvn -pl core -am install
        app -pl core => app -pl core
        app ghp_short sk-learn => app ghp_short sk-learn
        sh -c «cd /tmp && ls -la | grep x» => sh -c «cd /tmp && ls -la | grep x»
        bash -c «echo hello world» => bash -c «echo hello world»
        xargs -P 4 -n 1 echo => xargs -P 4 -n 1 echo
        app --password-policy strict => app --password-policy strict
        app --passphrase-fd 3 => app --passphrase-fd 3
        wget --user=bob https://h => wget --user=bob https://h
        git config user.name bob => git config user.name bob
        aws configure set region eu-west-1 => aws configure set region eu-west-1
        redis-cli -h r -p 6379 ping => redis-cli -h r -p 6379 ping
        mysql -h db -P 3306 -u app --database=prod => mysql -h db -P 3306 -u app --database=prod
        app --user postgres => app --user postgres
        app «Authorization header is required» => app «Authorization header is required»
        app pass token secret => app pass token secret
        app ./run.sh --dry-run => app ./run.sh --dry-run
        nc -p 5000 host 80 => nc -p 5000 host 80
        ffmpeg -i in.mp4 -pass 1 -f null /dev/null => ffmpeg -i in.mp4 -pass 1 -f null /dev/null
        app --bypass-cache --bypass x => app --bypass-cache --bypass x
        app --author «A <a@b.c>» => app --author «A <a@b.c>»
        app --token-type bearer --token-url https://h/t => app --token-type bearer --token-url https://h/t
        app -Dsun.security.krb5.debug=true => app -Dsun.security.krb5.debug=true
        app 12:30:45 C:\\dir std::string => app 12:30:45 C:\\dir std::string
        app --access-key-id AKIAIOSFODNN7EXAMPLE => app --access-key-id AKIAIOSFODNN7EXAMPLE
        app -----BEGIN CERTIFICATE----- => app -----BEGIN CERTIFICATE-----
        app «ssh -p 22 host uptime» => app «ssh -p 22 host uptime»
        """;

    static Stream<Arguments> table() {
        List<Arguments> rows = new ArrayList<>();
        for (String line : TABLE.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int arrow = l.indexOf(" => ");
            rows.add(Arguments.of(l.substring(0, arrow), l.substring(arrow + 4)));
        }
        return rows.stream();
    }

    /** Splits a row's command: spaces separate, «...» groups, \n is a newline. */
    static List<String> split(String command) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean group = false;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (c == '«') {
                group = true;
            } else if (c == '»') {
                group = false;
            } else if (c == ' ' && !group) {
                out.add(cur.toString());
                cur.setLength(0);
            } else if (c == '\\' && i + 1 < command.length() && command.charAt(i + 1) == 'n') {
                cur.append('\n');
                i++;
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    static String show(List<String> words) {
        StringBuilder sb = new StringBuilder();
        for (String w : words) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            String shown = w.replace("\n", "\\n");
            sb.append(w.contains(" ") || w.contains("\n") ? "«" + shown + "»" : shown);
        }
        return sb.toString();
    }

    private static String redactCommand(Redactor redactor, String command) {
        List<String> words = split(command);
        List<String> out = new ArrayList<>();
        out.add(words.get(0));
        out.addAll(redactor.redact(words.get(0), words.subList(1, words.size())));
        return show(out);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void table(String command, String shown) {
        assertEquals(shown, redactCommand(new Redactor(List.of()), command));
    }

    @Test
    void tableIsLargeWithPositivesAndNegatives() {
        long rows = table().count();
        long negatives = table().filter(a -> a.get()[0].equals(a.get()[1])).count();
        assertTrue(rows >= 150, "rows " + rows);
        assertTrue(negatives >= 50 && rows - negatives >= 100, "negatives " + negatives + " of " + rows);
    }

    @Test
    void extraPatternsHideTheirMatches() {
        Redactor r = Redactor.withPatterns("sk-[A-Za-z0-9]+;(?<=SSN )\\d{3}-\\d{2}-\\d{4}");
        assertEquals(List.of("use", "***", "now", "SSN ***", "--password", "***"),
                r.redact("app", List.of("use", "sk-abcdef123", "now", "SSN 123-45-6789", "--password", "x")));
        assertNull(r.takeWarning());
    }

    @Test
    void flagAtTheEndMasksNothingElse() {
        assertEquals(List.of("run", "--password"), new Redactor(List.of()).redact(List.of("run", "--password")));
    }

    /**
     * A pattern that backtracks catastrophically is cut off: the spawn's record is held up no
     * longer than the budget, the arguments it had not checked are hidden whole (never shown
     * unchecked), and the cut-off is said once, naming the pattern.
     */
    @Test
    void catastrophicPatternIsCutOffFailingClosed() {
        Redactor r = Redactor.withPatterns("((a+)+)+b");
        List<String> args = List.of("ok", "a".repeat(40) + "!", "later-arg");
        // Uncut, this pattern takes ~2^40 steps on that argument: finishing at all is the cut-off at
        // work. (No tighter bound on time: machines here are noisy.)
        List<String> out = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> r.redact("app", args));
        assertEquals(List.of("ok", "***", "***"), out);
        String warning = r.takeWarning();
        assertTrue(warning != null && warning.contains("'((a+)+)+b'") && warning.contains("cut off"), warning);
        // Again: still bounded and hidden, and not said twice.
        assertEquals(List.of("ok", "***", "***"), assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> r.redact("app", args)));
        assertNull(r.takeWarning());
    }

    /**
     * The built-in rules are linear: long and adversarial arguments cost about what reading them
     * does (a quadratic rule would take minutes here, not seconds).
     */
    @Test
    void builtInRulesStayLinear() {
        int n = 1 << 18;
        List<String> evil = List.of("a=".repeat(n / 2), "x://".repeat(n / 4), "{\"token\":".repeat(n / 10),
                "eyJ".repeat(n / 3), ("password: " + "a".repeat(50) + "\n").repeat(n / 64),
                "sh -c '".repeat(n / 7), "--a-b-c-d".repeat(n / 9), "jdbc:oracle:x:".repeat(n / 14),
                "-----BEGIN ".repeat(n / 11), "https://a:b/".repeat(n / 12), "<password>".repeat(n / 10));
        Redactor r = new Redactor(List.of());
        r.redact("app", evil); // warm-up
        // A quadratic rule needs minutes on these 256 KiB arguments, far beyond this bound; a linear
        // one well under a second. (No tighter bound on time: machines here are noisy.)
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> r.redact("sh", evil));
    }

    @Test
    void joinQuotesAndCaps() {
        assertEquals("a \"b c\" \"\" \"q\\\"x\"", Redactor.join(List.of("a", "b c", "", "q\"x"), 100));
        String joined = Redactor.join(List.of("x".repeat(50), "y".repeat(50)), 60);
        assertEquals(60 + "...(truncated)".length(), joined.length());
        assertTrue(joined.endsWith("...(truncated)"));
    }

    /** Control characters never reach a record raw: quoted and escaped, so the text is one plain line. */
    @Test
    void joinEscapesControlCharacters() {
        String joined = Redactor.join(List.of("a\u001b[2Jb", "x\ry", "t\tz", "del\u007f", "bidi\u202e", "nl\n"), 200);
        assertEquals("\"a\\u001b[2Jb\" \"x\\ry\" \"t\\tz\" \"del\\u007f\" \"bidi\\u202e\" \"nl\\n\"", joined);
        for (char c : joined.toCharArray()) {
            assertFalse(c < 0x20 || c == 0x7f || c == 0x202e, "raw control " + (int) c);
        }
    }

    /** A pattern list as the option gives it: empty entries are skipped. */
    @Test
    void patternListSplitsOnSemicolons() {
        Redactor r = Redactor.withPatterns(";x+;;y+;");
        assertEquals(List.of("***a***"), r.redact("app", List.of("xxayy")));
    }
}
